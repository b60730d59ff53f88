import { withDeadline } from "../../lib/deadline";
import { log } from "../../log";
import type { HubState } from "./hub-state";

/** How long a hub waits for a shard before counting it as failed: delivery to the others never waits on it. */
export const SHARD_DEADLINE_MS = 2000;

/**
 * Hands a frame to every shard with subscribers of the channel but
 * `exceptShard`; `except` names a socket that must not get it. Every call is
 * made before this returns, in the order frames are sent, so each shard
 * receives the channel's frames in order (E-order on one stub). Resolves to
 * how many shards failed, each logged and doubted (hubs/confirm.ts).
 */
export function toShards(
  state: HubState,
  frame: string,
  options: { except?: string; exceptShard?: string; serial?: number } = {},
): Promise<number> {
  const seq = state.shards.nextSeq();
  const shards = state.records.attachedShards().filter((shard) => shard !== options.exceptShard);
  const message = {
    channel: state.channel,
    frame,
    seq,
    ...(options.except === undefined ? {} : { except: options.except }),
    ...(options.serial === undefined ? {} : { serial: options.serial }),
  };
  return settle(
    state,
    "hub frame",
    shards.map((shard) => [shard, state.shards.stub(shard).hubFrame(state.app.id, shard, message)] as const),
  );
}

/** Sends a frame to given sockets, grouped by the shard holding them (watchlist events). */
export function toSockets(
  state: HubState,
  byShard: ReadonlyMap<string, readonly string[]>,
  frame: string,
): Promise<number> {
  const calls = [...byShard].map(
    ([shard, sockets]) =>
      [shard, state.shards.stub(shard).socketFrame(state.app.id, shard, [...sockets], frame)] as const,
  );
  return settle(state, "socket frame", calls);
}

/** Waits for the calls, each within the deadline; a failure is logged with its shard and counted. */
export async function settle(
  state: HubState,
  what: string,
  calls: ReadonlyArray<readonly [shard: string, call: Promise<unknown>]>,
): Promise<number> {
  const outcomes = await Promise.all(
    calls.map(([shard, call]) =>
      withDeadline(call, SHARD_DEADLINE_MS).then(
        () => true,
        (error: unknown) => {
          state.shards.doubt(shard);
          log("warn", "a shard missed a hub's message; the others got it", {
            app: state.app.id,
            channel: state.channel,
            shard,
            what,
            error: String(error),
          });
          return false;
        },
      ),
    ),
  );
  return outcomes.filter((delivered) => !delivered).length;
}
