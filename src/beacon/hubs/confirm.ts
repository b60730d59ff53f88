import { withDeadline } from "../../lib/deadline";
import { SHARD_DEADLINE_MS, settle } from "./forward";
import type { HubState } from "./hub-state";
import { applyReport } from "./report";

/**
 * Checks the hub's records against the shards themselves. A shard that
 * restarted (a deploy, a crash) lost its sockets without saying so, and it
 * says so only when it next wakes; asking it wakes it. Presence joins check
 * the shards this hub instance has not heard from yet (after the hub's own
 * wake, or after a shard failed a call), so a roster answered to a new
 * member holds no one who is gone; REST reads check every shard, since they
 * also need each shard's current count. Resolves to how many shards did not
 * answer, whose records are kept as they were.
 */
export function confirmShards(state: HubState, which: "unconfirmed" | "all"): Promise<number> {
  const shards = state.records.knownShards().filter((shard) => which === "all" || !state.shards.isConfirmed(shard));
  return settle(
    state,
    "report",
    shards.map((shard) => {
      // A report that comes after the deadline is not applied: joins since may have overtaken it.
      const answer = withDeadline(
        state.shards.stub(shard).reportFor(state.app.id, shard, state.channel),
        SHARD_DEADLINE_MS,
      );
      const checked = answer.then(async (report) => {
        await applyReport(state, { ...report, shard });
        state.shards.confirm(shard);
      });
      return [shard, checked] as const;
    }),
  );
}
