import { type PublishedStats, parsePublishedStats } from "../contract/published-stats";
import { COUNTERS, type Gauges, ratesAt, type StatsSnapshot, zeroTotals } from "../contract/stats";

/**
 * Each app's figures at `now`, in the order given, from the records its
 * objects published: an app with several objects gets their sum, an app
 * that published nothing yet (never used, or not woken since publishing
 * began) gets zeros, as its Beacon would answer, and records of apps no
 * longer configured are left out. `unreadable` counts records skipped.
 */
export function appFigures(
  appIds: readonly string[],
  records: readonly string[],
  now: number,
): { snapshots: StatsSnapshot[]; unreadable: number } {
  const byApp = new Map<string, PublishedStats[]>(appIds.map((id) => [id, []]));
  let unreadable = 0;
  for (const json of records) {
    const record = parsePublishedStats(json);
    if (record === undefined) unreadable++;
    else byApp.get(record.appId)?.push(record);
  }
  return { snapshots: appIds.map((id) => sum(id, byApp.get(id) ?? [], now)), unreadable };
}

function sum(appId: string, records: readonly PublishedStats[], now: number): StatsSnapshot {
  const gauges = { connections: 0, channels: 0, presenceMembers: 0 };
  const byKey = new Map<string, number>();
  const totals = zeroTotals();
  const rates = zeroTotals();
  let since = now;
  for (const record of records) {
    gauges.connections += record.gauges.connections;
    gauges.channels += record.gauges.channels;
    gauges.presenceMembers += record.gauges.presenceMembers;
    for (const { key, connections } of record.gauges.connectionsByKey) {
      byKey.set(key, (byKey.get(key) ?? 0) + connections);
    }
    // Taken now, not when published: a record that stopped changing a minute ago has rates of zero.
    const recordRates = ratesAt(record.samples, record.totals, now);
    for (const name of COUNTERS) {
      totals[name] += record.totals[name];
      rates[name] += recordRates[name];
    }
    since = Math.min(since, record.since);
  }
  const connectionsByKey: Gauges["connectionsByKey"] = [...byKey].map(([key, connections]) => ({ key, connections }));
  return { appId, since, now, gauges: { ...gauges, connectionsByKey }, totals, rates };
}
