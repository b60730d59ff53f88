import { historyFor } from "../../config/history";
import type { HistoryEntry, HistoryPosition } from "../../contract/history";
import type { FilledGap, JoinedHistory, JoinRequest, RoutedEntry } from "../../contract/hub-rpc";
import * as frames from "../../protocol/server-frames";
import { recordIfHistoryChannel } from "../changes/history";
import { toShards } from "./forward";
import type { HubState } from "./hub-state";

/*
 * A sharded app's history channel is numbered and stored by its hub
 * (docs/history.md, docs/scaling.md): every publish to the channel already
 * asks the hub for its route, so the serial is given in that same step and
 * travels with the delivery to the shards. The state and change functions
 * are the Beacon's own.
 */

/** A publish's events to this channel, stored in order; answers their serials. */
export function storeRouted(state: HubState, entries: readonly RoutedEntry[]): number[] {
  const now = Date.now();
  const serials: number[] = [];
  for (const { socketId, ...entry } of entries) {
    const serial = recordIfHistoryChannel(state, state.channel, entry, "server", now);
    if (serial === undefined) continue;
    serials.push(serial);
    if (socketId !== undefined) state.exclusions.remember(serial, socketId);
  }
  return serials;
}

/**
 * A join's history part, read in the step that attaches the shard: every
 * event numbered after `position` is routed to it, none before.
 */
export function joinedHistory(state: HubState, request: JoinRequest): JoinedHistory | undefined {
  if (request.history === undefined || historyFor(state.app.history, state.channel) === undefined) return undefined;
  const position = state.history.position(state.channel);
  const resume = request.history.resume;
  if (resume === undefined) return { position };
  return { position, missed: state.history.missedSince(state.channel, resume) };
}

/** A shard's gap: the events after `serial` (in `epoch`, or the current one when the shard does not know it). */
export function missedAfter(state: HubState, serial: number, epoch: string | undefined): FilledGap {
  const from: HistoryPosition = { epoch: epoch ?? state.history.position(state.channel).epoch, serial };
  return { missed: state.history.missedSince(state.channel, from), exclusions: state.exclusions.since(serial) };
}

/**
 * A client event on a channel whose history keeps them: stored, then handed
 * to every other shard with its serial, which the sender's shard is
 * answered to deliver it with. Undefined when the channel does not store it.
 */
export async function relayStored(state: HubState, shard: string, entry: HistoryEntry): Promise<number | undefined> {
  const serial = recordIfHistoryChannel(state, state.channel, entry, "client", Date.now());
  const frame = frames.userEvent(entry.name, state.channel, entry.data, entry.userId, serial);
  await toShards(state, frame, { exceptShard: shard, ...(serial === undefined ? {} : { serial }) });
  return serial;
}
