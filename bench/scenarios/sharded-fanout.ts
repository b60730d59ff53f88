import { threadCpuSeconds } from "../host/proc.ts";
import { type CallDelta, callDelta, callsTo, describeCalls, objectsOf, socketHandlerCalls } from "./calls.ts";
import type { Figure, ScenarioContext, ScenarioResult } from "./context.ts";
import { analyse, fanoutFaults, publish } from "./publish.ts";

const CHANNEL = "bench-sharded";

/**
 * Triggers for `subscribers`, so that every size gets about the same number
 * of deliveries: the burst's `triggers` and the paced rate are given for
 * 1,000 subscribers.
 */
export function triggersFor(context: ScenarioContext, subscribers: number): { burst: number; pacedRate: number } {
  const scale = 1000 / subscribers;
  return {
    burst: Math.max(20, Math.round(context.options.triggers * scale)),
    pacedRate: Math.max(1, context.options.pacedRate * scale),
  };
}

/**
 * One channel's fan-out on one target, as the shards scenario compares it
 * across shard counts: the burst gives CPU per delivery and what each
 * trigger cost, counted by the objects themselves (requests to hubs and
 * shards, objects called); the paced run gives latency to every subscriber
 * and to the last. The busiest thread's share of the server's CPU says
 * whether the runtime ran the objects in parallel.
 */
export async function shardedFanout(context: ScenarioContext, subscribers: number): Promise<ScenarioResult> {
  const { lanes, pacedTriggers } = context.options;
  const { burst: triggers, pacedRate } = triggersFor(context, subscribers);
  const sqlBefore = await context.target.sqlCounts();
  const callsBefore = await context.target.callCounts();
  const opened = await context.open(subscribers);
  const connected = subscribers - opened.failures;
  const subscribed = await context.subscribe(subscribers, () => [{ channel: CHANNEL }]);
  const channelsFor = () => [CHANNEL];

  const callsBeforeBurst = await context.target.callCounts();
  const threadsBefore = threadCpuSeconds(context.target.pids);
  const burst = await context.measure(async () => {
    const published = await publish(context, triggers, lanes, channelsFor);
    const done = await context.waitFor("deliveries", triggers * connected);
    return { published, done };
  });
  const busiestThread = busiestShare(threadsBefore, threadCpuSeconds(context.target.pids));
  const burstCalls = callDelta(callsBeforeBurst, await context.target.callCounts());
  const burstDeliveries = analyse(burst.stats, triggers * connected);
  const burstSeconds = Math.max(1e-3, (burst.result.done.lastAtMs - burst.result.published.startedAtMs) / 1000);

  const paced = await context.measure(async () => {
    const published = await publish(context, pacedTriggers, 1, channelsFor, pacedRate);
    await context.waitFor("deliveries", pacedTriggers * connected);
    return published;
  });
  const pacedDeliveries = analyse(paced.stats, pacedTriggers * connected);
  await context.closeAll();
  await context.finish(sqlBefore);
  const allCalls = callDelta(callsBefore, await context.target.callCounts());
  countBilling(context, allCalls);

  for (const sample of [...burstDeliveries.errorSamples, ...pacedDeliveries.errorSamples]) {
    context.notes.push(`error: ${sample}`);
  }
  if (burstCalls.total > 0) context.notes.push(`calls in the burst: ${describeCalls(burstCalls)}`);
  const counted = burstCalls.total > 0;
  const perTrigger = (count: number) => (counted ? count / triggers : Number.NaN);
  const shardsHolding = objectsOf(allCalls, "Beacon").length;
  const figures: Figure[] = [
    { label: "subscribers", value: connected, unit: "", better: "none" },
    { label: "shards holding subscribers", value: counted ? shardsHolding : Number.NaN, unit: "", better: "none" },
    { label: "triggers in the burst", value: triggers, unit: "", better: "none" },
    { label: "deliveries/s (burst)", value: burstDeliveries.unique / burstSeconds, unit: "/s", better: "higher" },
    {
      label: "server CPU per delivery",
      value: (burst.usage.serverCpuSeconds / Math.max(1, burstDeliveries.unique)) * 1e6,
      unit: "µs",
      better: "lower",
    },
    {
      label: "server CPU per trigger",
      value: (burst.usage.serverCpuSeconds / triggers) * 1e3,
      unit: "ms",
      better: "lower",
    },
    { label: "busiest server thread", value: busiestThread * 100, unit: "% of CPU", better: "none" },
    {
      label: `latency p50 (paced ${pacedRate.toFixed(1)}/s)`,
      value: pacedDeliveries.latency.p50,
      unit: "ms",
      better: "lower",
    },
    { label: "latency p99 (paced)", value: pacedDeliveries.latency.p99, unit: "ms", better: "lower" },
    { label: "to last subscriber p50 (paced)", value: pacedDeliveries.toLast.p50, unit: "ms", better: "lower" },
    { label: "to last subscriber p99 (paced)", value: pacedDeliveries.toLast.p99, unit: "ms", better: "lower" },
    { label: "DO requests per trigger (counted)", value: perTrigger(burstCalls.total), unit: "", better: "lower" },
    { label: "  to hubs", value: perTrigger(callsTo(burstCalls, "Hub")), unit: "", better: "lower" },
    { label: "  to Beacons", value: perTrigger(callsTo(burstCalls, "Beacon")), unit: "", better: "lower" },
    {
      label: "objects called in the burst",
      value: counted ? burstCalls.objects.size : Number.NaN,
      unit: "",
      better: "none",
    },
    { label: "server CPU (burst)", value: burst.usage.serverCpuSeconds, unit: "s", better: "lower" },
    { label: "busiest client thread (burst)", value: burst.usage.clientUtilisation * 100, unit: "%", better: "none" },
  ];
  return {
    figures,
    billing: context.billing,
    notes: context.notes,
    faults: fanoutFaults(
      burstDeliveries,
      pacedDeliveries,
      burst.result.published.failures + paced.result.failures + subscribed.failures,
      opened.failures,
    ),
  };
}

/**
 * Replaces the scenario's computed object requests and incoming messages
 * with what the objects counted, when the target counts them.
 */
export function countBilling(context: ScenarioContext, calls: CallDelta): void {
  if (calls.total === 0) return;
  context.billing.objectRequests = calls.total - socketHandlerCalls(calls);
  context.billing.incomingMessages = calls.byMethod.get("Beacon.webSocketMessage") ?? 0;
}

/** The share of the CPU used between two readings that went to the busiest thread (0 to 1). */
export function busiestShare(before: Map<string, number>, after: Map<string, number>): number {
  let total = 0;
  let busiest = 0;
  for (const [thread, seconds] of after) {
    const used = seconds - (before.get(thread) ?? 0);
    total += used;
    busiest = Math.max(busiest, used);
  }
  return total > 0 ? busiest / total : Number.NaN;
}
