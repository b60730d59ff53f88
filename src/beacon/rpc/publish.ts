import type { PublishEvent, PublishResult } from "../../contract/rpc";
import { utf8Length } from "../../lib/text";
import * as frames from "../../protocol/server-frames";
import { rememberIfCacheChannel } from "../changes/caching";
import { type HistoryState, recordIfHistoryChannel } from "../changes/history";
import type { Connection } from "../state/connection";
import type { Connections } from "../state/connections";
import type { ConsoleFeed, ConsoleState } from "../state/console-feed";
import { type ChannelReadState, channelAttributes } from "./attributes";

/** A publish reads subscribers (and the sender to leave out) and writes cache channels' last event. */
export interface PublishState extends ChannelReadState, HistoryState, ConsoleState {
  readonly connections: Connections;
}

/**
 * `POST /events` and `/batch_events`. It runs without awaiting anything, so
 * the events of one call, and of calls made one after another, reach every
 * subscriber in order. Each frame is encoded once per channel (the channel
 * name is part of it) and only for channels someone is subscribed to.
 */
export function publish(state: PublishState, events: readonly PublishEvent[]): PublishResult {
  const now = Date.now();
  return events.map((event) => {
    const except = event.socketId === undefined ? undefined : state.connections.get(event.socketId);
    if (state.console.open) showEvent(state.console, event, now);
    for (const channel of event.channels) {
      // Cached even with nobody subscribed: the next subscriber is who it is for.
      rememberIfCacheChannel(state.cache, channel, event.name, event.data, now);
      const serial = recordIfHistoryChannel(state, channel, event, "server", now);
      sendToChannel(state, channel, event, except, serial);
    }
    const { info } = event;
    if (info === undefined) return null;
    return new Map(event.channels.map((channel) => [channel, channelAttributes(state, channel, info)]));
  });
}

/** One event to this object's subscribers of each of its channels, but the socket it names (a shard's delivery). */
export function fanOut(
  state: Pick<PublishState, "channels" | "connections">,
  event: Pick<PublishEvent, "name" | "data" | "channels" | "socketId">,
): void {
  const except = event.socketId === undefined ? undefined : state.connections.get(event.socketId);
  // A history channel's serial comes with its own delivery (changes/shard-history.ts).
  for (const channel of event.channels) sendToChannel(state, channel, event, except, undefined);
}

function sendToChannel(
  state: Pick<PublishState, "channels">,
  channel: string,
  event: Pick<PublishEvent, "name" | "data">,
  except: Connection | undefined,
  serial: number | undefined,
): void {
  if (state.channels.count(channel) === 0) return;
  state.channels.broadcast(channel, frames.userEvent(event.name, channel, event.data, undefined, serial), except);
}

/** The console line of an API event: its name, channels and size, never its data. */
export function showEvent(
  feed: ConsoleFeed,
  event: Pick<PublishEvent, "name" | "data" | "channels">,
  at: number,
): void {
  feed.emit({ kind: "api_event", at, event: event.name, channels: event.channels, bytes: utf8Length(event.data) });
}
