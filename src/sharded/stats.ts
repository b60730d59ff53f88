import type { App } from "../config/app";
import { firstShard, isSharded, objectOf, shardsOf } from "../contract/objects";
import { COUNTERS, type Gauges, type StatsSnapshot, type Totals } from "../contract/stats";
import { classifyChannel } from "../protocol/channels";

/**
 * An app's statistics: its Beacon's, or for a sharded app the sum of its
 * shards' totals and rates (the first shard also counts what the hubs'
 * webhooks did), with the live gauges counted across shards: a channel
 * held by several shards is one channel, a user present through several is
 * one member.
 */
export async function appStats(app: App, beacons: Env["BEACON"]): Promise<StatsSnapshot> {
  if (!isSharded(app)) return firstShard(beacons, app).readStats(app.id);
  const shards = shardsOf(app).map((shard) => ({ name: shard.name, stub: objectOf(beacons, app.placement, shard) }));
  const [snapshots, held] = await Promise.all([
    Promise.all(shards.map(({ stub }) => stub.readStats(app.id))),
    Promise.all(shards.map(({ name, stub }) => stub.occupied(app.id, name, "", true))),
  ]);
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
  return mergeStats(app.id, snapshots, { connections, channels: channels.size, presenceMembers });
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
