import { distribution } from "../report/stats.ts";
import type { ScenarioContext, ScenarioResult } from "./context.ts";

/**
 * Scenario 1: connect N sockets, then subscribe each to a public channel.
 * Memory per socket is the server tree's resident growth with every socket
 * open and subscribed, over N.
 */
export async function connect(context: ScenarioContext): Promise<ScenarioResult> {
  const { sockets } = context.options;
  const sqlBefore = await context.target.sqlCounts();
  const rssBefore = context.serverRss();
  const opened = await context.measure(() => context.open(sockets));
  const connected = sockets - opened.result.failures;
  const subscribed = await context.measure(() =>
    context.subscribe(sockets, (index) => [{ channel: `bench-connect-${index % 10}` }]),
  );
  const rssAfter = context.serverRss();
  await context.closeAll();
  await context.finish(sqlBefore);

  const connect = distribution(opened.result.connectMs);
  const subscribe = distribution(subscribed.result.ms);
  return {
    figures: [
      { label: "sockets connected", value: connected, unit: "", better: "higher" },
      { label: "connect rate", value: connected / opened.usage.wallSeconds, unit: "/s", better: "higher" },
      { label: "connect p50", value: connect.p50, unit: "ms", better: "lower" },
      { label: "connect p99", value: connect.p99, unit: "ms", better: "lower" },
      { label: "subscribe rate", value: subscribe.count / subscribed.usage.wallSeconds, unit: "/s", better: "higher" },
      { label: "subscribe p50", value: subscribe.p50, unit: "ms", better: "lower" },
      { label: "subscribe p99", value: subscribe.p99, unit: "ms", better: "lower" },
      {
        label: "server CPU per connect",
        value: (opened.usage.serverCpuSeconds / connected) * 1e6,
        unit: "µs",
        better: "lower",
      },
      {
        label: "server CPU per subscribe",
        value: (subscribed.usage.serverCpuSeconds / Math.max(1, subscribe.count)) * 1e6,
        unit: "µs",
        better: "lower",
      },
      {
        label: "server memory per socket",
        value: (rssAfter - rssBefore) / connected / 1024,
        unit: "KiB",
        better: "lower",
      },
      {
        label: "load generator CPU",
        value: opened.usage.clientCpuSeconds + subscribed.usage.clientCpuSeconds,
        unit: "s",
        better: "none",
      },
      {
        label: "busiest client thread (connect)",
        value: opened.usage.clientUtilisation * 100,
        unit: "%",
        better: "none",
      },
    ],
    billing: context.billing,
    notes: context.notes,
    faults: {
      lost: 0,
      duplicates: 0,
      reordered: 0,
      errors: subscribed.result.failures,
      failedSockets: opened.result.failures,
    },
  };
}
