import type { ChannelAttributes, InfoRequest } from "../../contract/rpc";
import { channelAttributes as attributesOf } from "../state/channel-attributes";
import type { ChannelCache } from "../state/channel-cache";
import type { ChannelIndex } from "../state/channel-index";
import type { PresenceRoster } from "../state/presence-roster";

/** What a channel query reads: subscribers, presence members and cached events. */
export interface ChannelReadState {
  readonly channels: ChannelIndex;
  readonly presence: PresenceRoster;
  readonly cache: ChannelCache;
}

/** The counts a REST call asked for, from this Beacon's own sockets. */
export function channelAttributes(state: ChannelReadState, channel: string, info: InfoRequest): ChannelAttributes {
  return attributesOf(state.channels.count(channel), state.presence, state.cache, channel, info);
}
