import type { ChannelAttributes, InfoRequest } from "../../contract/rpc";
import type { ChannelCache } from "./channel-cache";
import type { PresenceRoster } from "./presence-roster";

/**
 * The counts a REST call asked for, from a channel's subscribers (held here
 * or, for a hub, across shards), its presence roster and its cache.
 * `user_count` is distinct presence users (a user with three tabs counts
 * once); `subscription_count` is connections. The Worker only asks for
 * `user_count` on presence channels.
 */
export function channelAttributes(
  subscribers: number,
  presence: Pick<PresenceRoster, "memberCount">,
  cache: Pick<ChannelCache, "lookup">,
  channel: string,
  info: InfoRequest,
): ChannelAttributes {
  const attributes: ChannelAttributes = {};
  if (info.userCount) attributes.user_count = presence.memberCount(channel);
  if (info.subscriptionCount) attributes.subscription_count = subscribers;
  if (info.cache) {
    const cached = cache.lookup(channel, Date.now());
    if (cached !== undefined) attributes.cache = { event: cached.event, data: cached.data, ttl: cached.ttl };
  }
  return attributes;
}
