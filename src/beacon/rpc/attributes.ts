import type { ChannelAttributes, InfoRequest } from "../../contract/rpc";
import type { Room } from "../room";

/**
 * `user_count` is distinct presence users (a user with three tabs counts
 * once); `subscription_count` is connections. The Worker only asks for
 * `user_count` on presence channels.
 */
export function channelAttributes(room: Room, channel: string, info: InfoRequest): ChannelAttributes {
  const attributes: ChannelAttributes = {};
  if (info.userCount) attributes.user_count = room.presence.memberCount(channel);
  if (info.subscriptionCount) attributes.subscription_count = room.channels.count(channel);
  if (info.cache) {
    const cached = room.cache.lookup(channel, Date.now());
    if (cached !== undefined) attributes.cache = { event: cached.event, data: cached.data, ttl: cached.ttl };
  }
  return attributes;
}
