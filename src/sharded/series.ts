import type { App } from "../config/app";
import { objectOf, shardsOf } from "../contract/objects";
import type { Metered } from "../contract/rpc";
import { type DenseSeries, denseSeries, sumSeries } from "../contract/series";
import { ok } from "../lib/result";

/**
 * An app's figures per minute from `from` to `to` (Unix minutes, both
 * included): its Beacon's, or for a sharded app each minute summed across
 * its shards. The hubs keep no figures of their own; the webhooks they
 * deliver are counted by the app's first shard (rpc/shard-calls.ts), so
 * they are in the sum.
 */
export async function appSeries(
  app: App,
  beacons: Env["BEACON"],
  from: number,
  to: number,
): Promise<Metered<DenseSeries>> {
  const answers = await Promise.all(
    shardsOf(app).map((shard) => objectOf(beacons, app.placement, shard).readSeries(app.id, from)),
  );
  const parts: DenseSeries[] = [];
  for (const answer of answers) {
    if (!answer.ok) return answer;
    parts.push(denseSeries(answer.value, from, to));
  }
  const [only] = parts;
  return ok(parts.length === 1 && only !== undefined ? only : sumSeries(parts, from, to - from + 1));
}
