import type { App } from "../config/app";
import { firstShard, isSharded, objectOf, shardsOf } from "../contract/objects";
import type { Metered } from "../contract/rpc";
import { COUNTERS, type Gauges, type StatsSnapshot, type Totals } from "../contract/stats";
import { ok } from "../lib/result";

/**
 * An app's statistics: its Beacon's, or the sum of its shards'. Hubs keep
 * no statistics of their own (see docs/scaling.md), and a channel held by
 * several shards is counted once by each in the `channels` gauge.
 */
export async function appStats(app: App, beacons: Env["BEACON"]): Promise<Metered<StatsSnapshot>> {
  if (!isSharded(app)) return firstShard(beacons, app).readStats(app.id);
  const answers = await Promise.all(
    shardsOf(app).map((shard) => objectOf(beacons, app.placement, shard).readStats(app.id)),
  );
  const snapshots: StatsSnapshot[] = [];
  for (const answer of answers) {
    // Only a per-second limit refuses, and configuration refuses those beside shards (config/placement.ts).
    if (!answer.ok) return answer;
    snapshots.push(answer.value);
  }
  return ok(mergeStats(app.id, snapshots));
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
      connectionsByKey: byKey(snapshots),
      channels: sum((snapshot) => snapshot.gauges.channels),
      presenceMembers: sum((snapshot) => snapshot.gauges.presenceMembers),
    },
    totals: totals((snapshot) => snapshot.totals),
    rates: totals((snapshot) => snapshot.rates),
  };
}

/** Each key's sockets on every shard, keys in the order the shards list them (the app's pairs first). */
function byKey(snapshots: readonly StatsSnapshot[]): Gauges["connectionsByKey"] {
  const counts = new Map<string, number>();
  for (const snapshot of snapshots) {
    for (const { key, connections } of snapshot.gauges.connectionsByKey) {
      counts.set(key, (counts.get(key) ?? 0) + connections);
    }
  }
  return [...counts].map(([key, connections]) => ({ key, connections }));
}
