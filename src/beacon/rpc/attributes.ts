import type { ChannelAttributes, InfoRequest } from "../../contract/rpc";
import type { ChannelCache } from "../state/channel-cache";
import type { ChannelIndex } from "../state/channel-index";
import type { PresenceRoster } from "../state/presence-roster";

/** What a channel query reads: subscribers, presence members and cached events. */
export interface ChannelReadState {
  readonly channels: ChannelIndex;
  readonly presence: PresenceRoster;
  readonly cache: ChannelCache;
}

/**
 * `user_count` is distinct presence users (a user with three tabs counts
 * once); `subscription_count` is connections. The Worker only asks for
 * `user_count` on presence channels.
 */
export function channelAttributes(state: ChannelReadState, channel: string, info: InfoRequest): ChannelAttributes {
  const attributes: ChannelAttributes = {};
  if (info.userCount) attributes.user_count = state.presence.memberCount(channel);
  if (info.subscriptionCount) attributes.subscription_count = state.channels.count(channel);
  if (info.cache) {
    const cached = state.cache.lookup(channel, Date.now());
    if (cached !== undefined) attributes.cache = { event: cached.event, data: cached.data, ttl: cached.ttl };
  }
  return attributes;
}
