import type { Room } from "../room";
import type { ChannelAttributes, InfoRequest } from "./types";

/**
 * `user_count` is distinct presence users (a user with three tabs counts
 * once); `subscription_count` is connections. The Worker only asks for
 * `user_count` on presence channels.
 */
export function channelAttributes(room: Room, channel: string, info: InfoRequest): ChannelAttributes {
  const attributes: ChannelAttributes = {};
  if (info.userCount) attributes.user_count = room.presence.memberCount(channel);
  if (info.subscriptionCount) attributes.subscription_count = room.channels.count(channel);
  return attributes;
}
