import type { App } from "../../config/app";
import type { ChannelCounts, ChannelState, ChannelsQuery, InfoRequest } from "../../contract/rpc";
import type { Gauges } from "../../contract/stats";
import type { Connections } from "../state/connections";
import { type ChannelReadState, channelAttributes } from "./attributes";

/** `GET /channels`: occupied channels only, as Pusher lists them. */
export function channelsInfo(state: ChannelReadState, query: ChannelsQuery): ChannelCounts {
  const channels: ChannelCounts = new Map();
  for (const channel of state.channels.names()) {
    if (channel.startsWith(query.prefix)) channels.set(channel, channelAttributes(state, channel, query.info));
  }
  return channels;
}

/** `GET /channels/{channel}`: `occupied` always, counts when asked for. */
export function channelInfo(state: ChannelReadState, channel: string, info: InfoRequest): ChannelState {
  return { occupied: state.channels.count(channel) > 0, ...channelAttributes(state, channel, info) };
}

/** `GET /channels/{presence-channel}/users`: each distinct user once. */
export function channelUsers(state: ChannelReadState, channel: string): Array<{ id: string }> {
  return state.presence.userIds(channel).map((id) => ({ id }));
}

/** What is live right now, for the app's statistics. */
export function gauges(state: ChannelReadState & { readonly app: App; readonly connections: Connections }): Gauges {
  let channels = 0;
  let presenceMembers = 0;
  for (const channel of state.channels.names()) {
    channels++;
    presenceMembers += state.presence.memberCount(channel);
  }
  return { connections: state.connections.size, connectionsByKey: connectionsByKey(state), channels, presenceMembers };
}

function connectionsByKey(state: { readonly app: App; readonly connections: Connections }): Gauges["connectionsByKey"] {
  const counts = new Map(state.app.keys.map(({ key }) => [key, 0]));
  for (const connection of state.connections.values()) {
    counts.set(connection.key, (counts.get(connection.key) ?? 0) + 1);
  }
  return [...counts].map(([key, connections]) => ({ key, connections }));
}
