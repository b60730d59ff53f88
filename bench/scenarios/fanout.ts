import type { Figure, ScenarioContext, ScenarioResult } from "./context.ts";
import { analyse, fanoutFaults, publish } from "./publish.ts";

const CHANNEL = "bench-fanout";

/**
 * Scenarios 2 and 6: N subscribers on one channel. A burst of M triggers
 * over the lanes as fast as the server takes them gives throughput and CPU
 * per delivery; then a paced run well below saturation gives latency.
 * With `deflate`, every socket offers permessage-deflate as browsers do.
 */
export async function fanout(context: ScenarioContext, deflate: boolean): Promise<ScenarioResult> {
  const { sockets, triggers, lanes, pacedTriggers, pacedRate } = context.options;
  const sqlBefore = await context.target.sqlCounts();
  const opened = await context.open(sockets, deflate);
  const subscribers = sockets - opened.failures;
  const subscribed = await context.subscribe(sockets, () => [{ channel: CHANNEL }]);
  const channelsFor = () => [CHANNEL];

  const burst = await context.measure(async () => {
    const published = await publish(context, triggers, lanes, channelsFor);
    const done = await context.waitFor("deliveries", triggers * subscribers);
    return { published, done };
  });
  const burstDeliveries = analyse(burst.stats, triggers * subscribers);
  const burstSeconds = Math.max(1e-3, (burst.result.done.lastAtMs - burst.result.published.startedAtMs) / 1000);

  const paced = await context.measure(async () => {
    const published = await publish(context, pacedTriggers, 1, channelsFor, pacedRate);
    await context.waitFor("deliveries", pacedTriggers * subscribers);
    return published;
  });
  const pacedDeliveries = analyse(paced.stats, pacedTriggers * subscribers);
  await context.closeAll();
  await context.finish(sqlBefore);

  if (deflate) context.notes.push(`permessage-deflate negotiated on ${opened.deflateNegotiated} of ${sockets} sockets`);
  for (const sample of [...burstDeliveries.errorSamples, ...pacedDeliveries.errorSamples]) {
    context.notes.push(`error: ${sample}`);
  }
  const figures: Figure[] = [
    { label: "subscribers", value: subscribers, unit: "", better: "none" },
    { label: "deliveries/s (burst)", value: burstDeliveries.unique / burstSeconds, unit: "/s", better: "higher" },
    { label: "triggers/s (burst)", value: triggers / burstSeconds, unit: "/s", better: "higher" },
    {
      label: "server CPU per delivery",
      value: (burst.usage.serverCpuSeconds / burstDeliveries.unique) * 1e6,
      unit: "µs",
      better: "lower",
    },
    { label: "latency p50 (burst)", value: burstDeliveries.latency.p50, unit: "ms", better: "lower" },
    { label: "latency p99 (burst)", value: burstDeliveries.latency.p99, unit: "ms", better: "lower" },
    { label: `latency p50 (paced ${pacedRate}/s)`, value: pacedDeliveries.latency.p50, unit: "ms", better: "lower" },
    { label: "latency p95 (paced)", value: pacedDeliveries.latency.p95, unit: "ms", better: "lower" },
    { label: "latency p99 (paced)", value: pacedDeliveries.latency.p99, unit: "ms", better: "lower" },
    { label: "to first subscriber p50 (paced)", value: pacedDeliveries.toFirst.p50, unit: "ms", better: "lower" },
    { label: "to last subscriber p50 (paced)", value: pacedDeliveries.toLast.p50, unit: "ms", better: "lower" },
    { label: "to last subscriber p99 (paced)", value: pacedDeliveries.toLast.p99, unit: "ms", better: "lower" },
    { label: "server CPU (burst)", value: burst.usage.serverCpuSeconds, unit: "s", better: "lower" },
    { label: "load generator CPU (burst)", value: burst.usage.clientCpuSeconds, unit: "s", better: "none" },
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
