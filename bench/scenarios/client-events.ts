import type { ClientEventsResult } from "../load/messages.ts";
import type { ScenarioContext, ScenarioResult } from "./context.ts";
import { analyse, deliveryFaults, deliveryFigures } from "./publish.ts";

/**
 * Scenario 4: sockets in pairs on private channels (signed as an auth
 * endpoint signs them), each sending `client-*` events to its partner at a
 * steady rate below Pusher's 10 per second per socket.
 */
export async function clientEvents(context: ScenarioContext): Promise<ScenarioResult> {
  const { pairs, clientEventRate, clientEventSeconds } = context.options;
  const sockets = pairs * 2;
  const channelOf = (index: number) => `private-bench-pair-${Math.floor(index / 2)}`;
  const sqlBefore = await context.target.sqlCounts();
  const opened = await context.open(sockets);
  const subscribed = await context.subscribe(sockets, (index) => [{ channel: channelOf(index) }]);
  const run = await context.measure(async () => {
    const sent = await context.pool.all<ClientEventsResult>((thread) => {
      const indexes = context.pool.indexes(sockets, thread);
      return {
        op: "clientEvents",
        channels: indexes.map(channelOf),
        firstSender: thread * 1_000_000,
        ratePerSecond: clientEventRate,
        durationMs: clientEventSeconds * 1000,
      };
    });
    const total = sent.reduce((sum, thread) => sum + thread.sent, 0);
    const done = await context.waitFor("deliveries", total);
    return { total, done };
  });
  context.billing.incomingMessages += run.result.total;
  await context.closeAll();
  await context.finish(sqlBefore);
  const deliveries = analyse(run.stats, run.result.total);
  for (const sample of deliveries.errorSamples) context.notes.push(`error: ${sample}`);
  return {
    figures: [
      { label: "sockets", value: sockets - opened.failures, unit: "", better: "none" },
      { label: "events relayed", value: deliveries.unique, unit: "", better: "none" },
      { label: "relays/s", value: deliveries.unique / run.usage.wallSeconds, unit: "/s", better: "higher" },
      ...deliveryFigures("relay", run.usage, deliveries),
    ],
    billing: context.billing,
    notes: context.notes,
    faults: deliveryFaults(deliveries, subscribed.failures, opened.failures),
  };
}
