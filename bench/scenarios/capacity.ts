import { callDelta, callsTo, describeCalls, objectsOf } from "./calls.ts";
import type { Figure, ScenarioContext, ScenarioResult } from "./context.ts";
import { analyse, publish } from "./publish.ts";
import { countBilling } from "./sharded-fanout.ts";

const CHANNEL = "bench-capacity";
/** Lanes of paced broadcasts: each lane's events must reach every socket in order. */
const LANES = 2;

/**
 * As many sockets as one local runtime holds, spread over the target's
 * shards, all on one channel, receiving paced broadcasts from two lanes.
 * Every socket checks every event's sequence per lane, so one lost,
 * doubled or reordered delivery anywhere is a fault. The sockets per shard
 * are what the shards counted (each upgrade is a call to one of them).
 */
export async function capacity(context: ScenarioContext): Promise<ScenarioResult> {
  const { capacitySockets: sockets, capacityBroadcasts: broadcasts } = context.options;
  // About 10,000 deliveries a second: well below what the runtime delivers, so latency is not queueing.
  const rate = Math.max(1, 10_000 / sockets);
  const sqlBefore = await context.target.sqlCounts();
  const callsBefore = await context.target.callCounts();
  const rssBefore = context.serverRss();
  const opened = await context.measure(() => context.open(sockets));
  const connected = sockets - opened.result.failures;
  const afterOpen = callDelta(callsBefore, await context.target.callCounts());
  const subscribed = await context.subscribe(sockets, () => [{ channel: CHANNEL }]);
  const rssPerSocket = (context.serverRss() - rssBefore) / Math.max(1, connected);

  const paced = await context.measure(async () => {
    const published = await publish(context, broadcasts, LANES, () => [CHANNEL], rate);
    await context.waitFor("deliveries", broadcasts * connected);
    return published;
  });
  const deliveries = analyse(paced.stats, broadcasts * connected);
  await context.closeAll();
  await context.finish(sqlBefore);
  const allCalls = callDelta(callsBefore, await context.target.callCounts());
  countBilling(context, allCalls);

  const perShard = objectsOf(afterOpen, "Beacon");
  for (const sample of deliveries.errorSamples) context.notes.push(`error: ${sample}`);
  context.notes.push(`calls: ${describeCalls(allCalls)}`);
  const figures: Figure[] = [
    { label: "sockets connected", value: connected, unit: "", better: "higher" },
    { label: "shards holding sockets", value: perShard.length, unit: "", better: "none" },
    { label: "fewest sockets on a shard", value: Math.min(...perShard), unit: "", better: "none" },
    { label: "most sockets on a shard", value: Math.max(...perShard), unit: "", better: "none" },
    { label: "connect rate", value: connected / opened.usage.wallSeconds, unit: "/s", better: "higher" },
    { label: "broadcasts", value: broadcasts, unit: "", better: "none" },
    { label: "deliveries expected", value: broadcasts * connected, unit: "", better: "none" },
    { label: "deliveries received once, in order", value: deliveries.unique, unit: "", better: "higher" },
    { label: `latency p50 (paced ${rate.toFixed(1)}/s)`, value: deliveries.latency.p50, unit: "ms", better: "lower" },
    { label: "latency p99 (paced)", value: deliveries.latency.p99, unit: "ms", better: "lower" },
    { label: "to last subscriber p50", value: deliveries.toLast.p50, unit: "ms", better: "lower" },
    { label: "to last subscriber max", value: deliveries.toLast.max, unit: "ms", better: "lower" },
    {
      label: "server CPU per delivery",
      value: (paced.usage.serverCpuSeconds / Math.max(1, deliveries.unique)) * 1e6,
      unit: "µs",
      better: "lower",
    },
    {
      label: "hub requests per broadcast",
      value: callsTo(allCalls, "Hub.route") / broadcasts,
      unit: "",
      better: "lower",
    },
    { label: "server memory per socket", value: rssPerSocket / 1024, unit: "KiB", better: "lower" },
  ];
  return {
    figures,
    billing: context.billing,
    notes: context.notes,
    faults: {
      lost: deliveries.lost,
      duplicates: deliveries.duplicates,
      reordered: deliveries.reordered,
      errors: deliveries.errors + paced.result.failures + subscribed.failures,
      failedSockets: opened.result.failures,
    },
  };
}
