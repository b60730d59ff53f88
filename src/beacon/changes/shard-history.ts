import type { App } from "../../config/app";
import { historyFor } from "../../config/history";
import type { HistoryEntry } from "../../contract/history";
import type { FilledGap, JoinedHistory } from "../../contract/hub-rpc";
import { log } from "../../log";
import * as frames from "../../protocol/server-frames";
import type { ChannelIndex } from "../state/channel-index";
import type { Connection } from "../state/connection";
import type { Connections } from "../state/connections";
import type { Delivery, StreamStep } from "../state/history-streams";
import type { HubLinks } from "../state/hub-links";
import { sendMissed, storedEventFrame } from "./history";

/*
 * History channels on a shard of a sharded app (docs/history.md): the
 * channel's hub numbers and stores each event, and the serial comes here
 * with the delivery. Each channel's deliveries reach the subscribers here
 * in serial order, each once (state/history-streams.ts); a resuming socket
 * gets the hub's answer, then only deliveries after it.
 */

/** What a shard reads and changes to deliver a history channel's events. */
export interface ShardHistoryState {
  readonly app: App;
  readonly links: HubLinks;
  readonly channels: ChannelIndex;
  readonly connections: Connections;
}

export function isHistoryChannel(app: App, channel: string): boolean {
  return historyFor(app.history, channel) !== undefined;
}

/** Whether a client event on the channel is numbered and stored (by its hub, on a shard). */
export function storesClientEvents(app: App, channel: string): boolean {
  return historyFor(app.history, channel)?.clientEvents === true;
}

/**
 * One numbered delivery (from the Worker, or another shard's client event
 * through the hub). A channel with no subscribers here and no join on its
 * way is skipped: nobody here waits for it.
 */
export function deliverNumbered(
  state: ShardHistoryState,
  channel: string,
  delivery: Delivery,
): Promise<void> | undefined {
  if (state.channels.count(channel) === 0 && state.links.joining(channel, true).length === 0) {
    state.links.streams.forget(channel);
    return undefined;
  }
  return take(state, channel, state.links.streams.arrive(channel, delivery));
}

/** The shard's subscribers of the channel have a known position, or a subscribe must ask the hub. */
export function knownPosition(state: Pick<ShardHistoryState, "links">, channel: string) {
  return state.links.streams.position(channel);
}

/** A join to a history channel's hub begins: deliveries past a gap wait for its answer. */
export function beginHistoryJoin(state: ShardHistoryState, channel: string): void {
  if (state.channels.count(channel) === 0) state.links.streams.restart(channel);
  state.links.streams.hold(channel);
}

/** The join failed: the deliveries held for it go on. */
export function abandonHistoryJoin(state: ShardHistoryState, channel: string): Promise<void> | undefined {
  return take(state, channel, state.links.streams.release(channel));
}

/**
 * The socket is subscribed here and has had `subscription_succeeded` at
 * the hub's position: it gets what it missed (when it resumed), then the
 * deliveries after that position that went out here while the hub's answer
 * was on its way, and later deliveries up to that position pass it by.
 */
export function joinedHistoryChannel(
  state: ShardHistoryState,
  connection: Connection,
  channel: string,
  history: JoinedHistory,
  deliveries: readonly Delivery[],
): Promise<void> | undefined {
  if (history.missed !== undefined) sendMissed(connection, channel, history.missed);
  const at = history.position.serial;
  for (const delivery of deliveries) {
    if (delivery.serial > at && delivery.except !== connection.id) connection.send(delivery.frame);
  }
  const here = state.links.streams.position(channel)?.serial;
  if (here !== undefined && here < at) state.links.streams.floor(channel, connection.id, at);
  return take(state, channel, state.links.streams.release(channel, history.position));
}

/** A resume the hub could not answer from history (it keeps none for the channel): nothing is replayed. */
export function notResumed(connection: Connection, channel: string): void {
  connection.send(frames.resumed(channel, { recovered: false }));
}

/**
 * A client event on a channel that stores them: the hub numbers and stores
 * it and hands it to the other shards, then it goes to this shard's
 * subscribers in its turn. Deliveries past a gap wait for it meanwhile.
 */
export async function relayNumbered(
  state: ShardHistoryState,
  sender: Connection,
  channel: string,
  entry: HistoryEntry,
): Promise<void> {
  const streams = state.links.streams;
  streams.hold(channel);
  let serial: number | undefined;
  try {
    serial = await state.links.hub(channel).relayStored(state.app.id, channel, state.links.shard, entry);
  } catch (error) {
    log("error", "a client event was not stored and reached this shard's subscribers only", {
      app: state.app.id,
      shard: state.links.shard,
      channel,
      error: String(error),
    });
  }
  const frame = frames.userEvent(entry.name, channel, entry.data, entry.userId, serial);
  if (serial === undefined) state.channels.broadcast(channel, frame, sender);
  else await take(state, channel, streams.arrive(channel, { serial, frame, except: sender.id }));
  await take(state, channel, streams.release(channel));
}

/** Sends what a step lets go, in order, and fills a gap from the hub. */
function take(state: ShardHistoryState, channel: string, step: StreamStep): Promise<void> | undefined {
  for (const delivery of step.emit) send(state, channel, delivery);
  if (step.fillAfter === undefined) return undefined;
  return fill(state, channel, step.fillAfter.serial, step.fillAfter.epoch);
}

function send(state: ShardHistoryState, channel: string, delivery: Delivery): void {
  const skip = state.links.streams.skipFor(channel, delivery.serial);
  const except = delivery.except === undefined ? undefined : state.connections.get(delivery.except);
  state.channels.broadcast(channel, delivery.frame, except, skip);
  state.links.emitted(channel, delivery);
}

/**
 * Deliveries skipped a serial and nothing in flight here will bring it: the
 * hub answers the stored events after the last one sent, with the socket
 * each REST call left out, and they go out with the held ones in order. A
 * delivery that arrives meanwhile is kept over the hub's copy.
 */
async function fill(state: ShardHistoryState, channel: string, serial: number, epoch: string | undefined) {
  let gap: FilledGap | undefined;
  try {
    gap = await state.links.hub(channel).missedAfter(state.app.id, channel, serial, epoch);
  } catch (error) {
    log("warn", "a shard could not fill a gap in a history channel's deliveries", {
      app: state.app.id,
      shard: state.links.shard,
      channel,
      after: serial,
      error: String(error),
    });
  }
  const missed = gap?.missed;
  if (missed?.recovered === false) {
    log("warn", "a gap in a history channel's deliveries is older than its retention", {
      app: state.app.id,
      shard: state.links.shard,
      channel,
      after: serial,
    });
  }
  const exclusions = new Map(gap?.exclusions.map(({ serial, socketId }) => [serial, socketId] as const));
  const events = missed?.recovered
    ? missed.events.map((event) => {
        const except = exclusions.get(event.serial);
        const frame = storedEventFrame(channel, event);
        return except === undefined ? { serial: event.serial, frame } : { serial: event.serial, frame, except };
      })
    : undefined;
  await take(state, channel, state.links.streams.filled(channel, missed?.position, events));
}
