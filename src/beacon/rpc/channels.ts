import type { ChannelAttributes, ChannelState, ChannelsQuery, InfoRequest } from "../../contract/rpc";
import type { Room } from "../room";
import { channelAttributes } from "./attributes";

/** `GET /channels`: occupied channels only, as Pusher lists them. */
export function channelsInfo(room: Room, query: ChannelsQuery): Record<string, ChannelAttributes> {
  const channels: Record<string, ChannelAttributes> = {};
  for (const channel of room.channels.names()) {
    if (channel.startsWith(query.prefix)) channels[channel] = channelAttributes(room, channel, query.info);
  }
  return channels;
}

/** `GET /channels/{channel}`: `occupied` always, counts when asked for. */
export function channelInfo(room: Room, channel: string, info: InfoRequest): ChannelState {
  return { occupied: room.channels.count(channel) > 0, ...channelAttributes(room, channel, info) };
}

/** `GET /channels/{presence-channel}/users`: each distinct user once. */
export function channelUsers(room: Room, channel: string): Array<{ id: string }> {
  return room.presence.userIds(channel).map((id) => ({ id }));
}
