import type { App } from "../config/app";
import { firstShard, isSharded, objectOf, shardsOf } from "../contract/objects";
import type { Metered } from "../contract/rpc";
import { COUNTERS, type Gauges, type StatsSnapshot, type Totals } from "../contract/stats";
import { ok } from "../lib/result";
import { classifyChannel } from "../protocol/channels";

/**
 * An app's statistics: its Beacon's, or for a sharded app the sum of its
 * shards' totals and rates (the first shard also counts what the hubs'
 * webhooks did), with the live gauges counted across shards: a channel
 * held by several shards is one channel, a user present through several is
 * one member.
 */
export async function appStats(app: App, beacons: Env["BEACON"]): Promise<Metered<StatsSnapshot>> {
  if (!isSharded(app)) return firstShard(beacons, app).readStats(app.id);
  const shards = shardsOf(app).map((shard) => ({ name: shard.name, stub: objectOf(beacons, app.placement, shard) }));
  const [answers, held] = await Promise.all([
    Promise.all(shards.map(({ stub }) => stub.readStats(app.id))),
    Promise.all(shards.map(({ name, stub }) => stub.occupied(app.id, name, "", true))),
  ]);
  const snapshots: StatsSnapshot[] = [];
  for (const answer of answers) {
    // Only a per-second limit refuses, and configuration refuses those beside shards (config/placement.ts).
    if (!answer.ok) return answer;
    snapshots.push(answer.value);
  }
  const channels = new Map<string, Set<string>>();
  for (const part of held) {
    for (const [channel, { users }] of part) {
      const members = channels.get(channel) ?? new Set<string>();
      for (const user of users ?? []) members.add(user);
      channels.set(channel, members);
    }
  }
  let presenceMembers = 0;
  for (const [channel, members] of channels) {
    if (classifyChannel(channel).kind === "presence") presenceMembers += members.size;
  }
  const connections = snapshots.reduce((sum, snapshot) => sum + snapshot.gauges.connections, 0);
  return ok(
    mergeStats(app.id, snapshots, {
      connections,
      connectionsByKey: byKey(snapshots),
      channels: channels.size,
      presenceMembers,
    }),
  );
}

/** Shards' snapshots as one: totals and rates added up, the earliest start and latest time. */
export function mergeStats(appId: string, snapshots: readonly StatsSnapshot[], gauges: Gauges): StatsSnapshot {
  const totals = (pick: (snapshot: StatsSnapshot) => Totals): Totals =>
    Object.fromEntries(
      COUNTERS.map((name) => [name, snapshots.reduce((sum, snapshot) => sum + pick(snapshot)[name], 0)]),
    ) as Totals;
  return {
    appId,
    since: Math.min(...snapshots.map((snapshot) => snapshot.since)),
    now: Math.max(...snapshots.map((snapshot) => snapshot.now)),
    gauges,
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
