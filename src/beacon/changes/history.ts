import type { App } from "../../config/app";
import { historyFor } from "../../config/history";
import type { HistoryEntry, HistoryPosition, Missed, StoredEvent } from "../../contract/history";
import type { ResumePosition } from "../../protocol/client-frames";
import * as frames from "../../protocol/server-frames";
import type { ChannelHistory } from "../state/channel-history";
import type { Connection } from "../state/connection";

/**
 * What history needs of whoever owns a channel: the app's policy and the
 * stored history. The Beacon owns every channel while an app has one shard.
 */
export interface HistoryState {
  readonly app: App;
  readonly history: ChannelHistory;
}

/**
 * Called for every event as it is delivered, in the same synchronous step:
 * a history channel stores it and the serial goes out with the delivery.
 * Any other channel returns undefined after one pattern test.
 */
export function recordIfHistoryChannel(
  state: HistoryState,
  channel: string,
  entry: HistoryEntry,
  origin: "server" | "client",
  now: number,
): number | undefined {
  const policy = historyFor(state.app.history, channel);
  if (policy === undefined || (origin === "client" && !policy.clientEvents)) return undefined;
  return state.history.append(channel, entry, policy, now);
}

/** A history channel's position, told to each new subscriber; undefined for other channels. */
export function historyPosition(state: HistoryState, channel: string): HistoryPosition | undefined {
  return historyFor(state.app.history, channel) === undefined ? undefined : state.history.position(channel);
}

/**
 * Sends a returning subscriber what it missed, then `sower:resumed`. It runs
 * in the step that subscribed the socket, with nothing awaited in between,
 * so no live event can come before, between or twice.
 */
export function resumeSubscriber(
  state: HistoryState,
  connection: Connection,
  channel: string,
  from: ResumePosition,
): void {
  if (historyFor(state.app.history, channel) === undefined) {
    connection.send(frames.resumed(channel, { recovered: false }));
    return;
  }
  sendMissed(connection, channel, state.history.missedSince(channel, from));
}

/** What a returning subscriber missed, in order, then `sower:resumed` saying how it went. */
export function sendMissed(connection: Connection, channel: string, missed: Missed): void {
  const events = missed.recovered ? missed.events : [];
  for (const event of events) connection.send(storedEventFrame(channel, event));
  connection.send(frames.resumed(channel, { recovered: missed.recovered, ...missed.position, missed: events.length }));
}

/** A stored event as it was delivered live, serial included. */
export function storedEventFrame(channel: string, event: StoredEvent): string {
  return frames.userEvent(event.name, channel, event.data, event.user_id, event.serial);
}
