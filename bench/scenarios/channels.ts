import type { ScenarioContext, ScenarioResult } from "./context.ts";
import { analyse, deliveryFaults, deliveryFigures, publish } from "./publish.ts";

/** Pusher's limit on channels per trigger; the scenario uses it in full. */
const CHANNELS_PER_TRIGGER = 100;

/**
 * Scenario 3: the fan-out scenario's number of deliveries, spread over many
 * channels (1,000 by default, at most one per socket). Socket g subscribes
 * to channel g mod C; each trigger names the next 100 channels, as
 * `pusher.trigger([...100 channels])` does.
 */
export async function channels(context: ScenarioContext): Promise<ScenarioResult> {
  const { sockets, triggers, lanes } = context.options;
  const channelCount = Math.min(context.options.channels, sockets);
  const name = (index: number) => `bench-channel-${index}`;
  // Channel c holds the sockets g with g mod C = c: floor(N / C) of them, one more if c < N mod C.
  const subscribersOf = (channel: number) =>
    Math.floor(sockets / channelCount) + (channel < sockets % channelCount ? 1 : 0);
  const perTrigger = Math.min(CHANNELS_PER_TRIGGER, channelCount);
  const indexesFor = (trigger: number) =>
    Array.from({ length: perTrigger }, (_, offset) => (trigger * perTrigger + offset) % channelCount);
  const channelsFor = (trigger: number) => indexesFor(trigger).map(name);
  const deliveriesOf = (trigger: number) =>
    indexesFor(trigger).reduce((sum, channel) => sum + subscribersOf(channel), 0);

  // As many triggers as it takes to match the single-channel scenario's deliveries.
  const target = triggers * sockets;
  let total = 0;
  let expected = 0;
  while (expected < target) expected += deliveriesOf(total++);

  const sqlBefore = await context.target.sqlCounts();
  const opened = await context.open(sockets);
  const subscribed = await context.subscribe(sockets, (index) => [{ channel: name(index % channelCount) }]);
  const run = await context.measure(async () => {
    const published = await publish(context, total, lanes, channelsFor);
    const done = await context.waitFor("deliveries", expected);
    return { published, done };
  });
  await context.closeAll();
  await context.finish(sqlBefore);
  const deliveries = analyse(run.stats, expected);
  const seconds = Math.max(1e-3, (run.result.done.lastAtMs - run.result.published.startedAtMs) / 1000);
  for (const sample of deliveries.errorSamples) context.notes.push(`error: ${sample}`);
  return {
    figures: [
      { label: "channels", value: channelCount, unit: "", better: "none" },
      { label: "triggers (100 channels each)", value: total, unit: "", better: "none" },
      { label: "deliveries/s", value: deliveries.unique / seconds, unit: "/s", better: "higher" },
      { label: "triggers/s", value: total / seconds, unit: "/s", better: "higher" },
      ...deliveryFigures("delivery", run.usage, deliveries),
    ],
    billing: context.billing,
    notes: context.notes,
    faults: deliveryFaults(deliveries, run.result.published.failures + subscribed.failures, opened.failures),
  };
}
