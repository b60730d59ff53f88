import type { App } from "../config/app";
import { firstShard, isSharded, objectOf, shardsOf } from "../contract/objects";
import { COUNTERS, type StatsSnapshot, type Totals } from "../contract/stats";

/**
 * An app's statistics: its Beacon's, or the sum of its shards'. Hubs keep
 * no statistics of their own (see docs/scaling.md), and a channel held by
 * several shards is counted once by each in the `channels` gauge.
 */
export async function appStats(app: App, beacons: Env["BEACON"]): Promise<StatsSnapshot> {
  if (!isSharded(app)) return firstShard(beacons, app).readStats(app.id);
  const snapshots = await Promise.all(
    shardsOf(app).map((shard) => objectOf(beacons, app.placement, shard).readStats(app.id)),
  );
  return mergeStats(app.id, snapshots);
}

export function mergeStats(appId: string, snapshots: readonly StatsSnapshot[]): StatsSnapshot {
  const sum = (pick: (snapshot: StatsSnapshot) => number) =>
    snapshots.reduce((total, snapshot) => total + pick(snapshot), 0);
  const totals = (pick: (snapshot: StatsSnapshot) => Totals): Totals =>
    Object.fromEntries(COUNTERS.map((name) => [name, sum((snapshot) => pick(snapshot)[name])])) as Totals;
  return {
    appId,
    since: Math.min(...snapshots.map((snapshot) => snapshot.since)),
    now: Math.max(...snapshots.map((snapshot) => snapshot.now)),
    gauges: {
      connections: sum((snapshot) => snapshot.gauges.connections),
      channels: sum((snapshot) => snapshot.gauges.channels),
      presenceMembers: sum((snapshot) => snapshot.gauges.presenceMembers),
    },
    totals: totals((snapshot) => snapshot.totals),
    rates: totals((snapshot) => snapshot.rates),
  };
}
