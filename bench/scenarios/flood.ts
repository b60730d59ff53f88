import type { FloodResult, OpenResult } from "../load/messages.ts";
import { nowMs } from "../load/messages.ts";
import { ClientPool } from "../load/pool.ts";
import { distribution } from "../report/stats.ts";
import { type Figure, ScenarioContext, type ScenarioResult } from "./context.ts";
import { analyse, type DeliveryAnalysis, publish } from "./publish.ts";

const CHANNEL = "bench-flood";
/** Sockets opened while a flood runs, and again just after it, to see whether the app still takes new ones. */
const PROBES = 20;
/** When the probes start, into the flood: long enough for a backlog to have built up. */
const PROBE_DELAY_MS = 1000;
const RSS_SAMPLE_MS = 250;

/** One phase: no flooder, or one flooding at a rate (null: as fast as its socket takes frames). */
interface Phase {
  name: string;
  rate: number | null | undefined;
}

interface PhaseOutcome {
  deliveries: DeliveryAnalysis;
  flooder: FloodResult | undefined;
  during: OpenResult;
  after: OpenResult;
  peakRss: number;
  serverCpuSeconds: number;
  publishFailures: number;
}

/**
 * Scenario 7: N receivers get REST triggers at `--rate` per second while one
 * socket sends client events on its own private channel, first not at all,
 * then at each of `--flood-rates` (`full`: as fast as its socket takes them).
 * The flooder runs on a thread of its own, so its loop does not delay the
 * receivers' clocks. Each phase reports the receivers' latency against the
 * phase without a flood, losses, whether new sockets connect during and just
 * after the flood, and how the server treated the flooder.
 */
export async function flood(context: ScenarioContext): Promise<ScenarioResult> {
  const { floodReceivers, floodRates } = context.options;
  const sqlBefore = await context.target.sqlCounts();
  const opened = await context.open(floodReceivers);
  const receivers = floodReceivers - opened.failures;
  const subscribed = await context.subscribe(floodReceivers, () => [{ channel: CHANNEL }]);
  // A second of triggers first, so the phase without a flood does not also measure the warm-up.
  const warmUp = context.options.pacedRate;
  await context.measure(async () => {
    await publish(context, warmUp, 1, () => [CHANNEL], context.options.pacedRate);
    await context.waitFor("deliveries", warmUp * receivers);
  });
  const floodPool = new ClientPool(1);
  const phases: Phase[] = [
    { name: "no flood", rate: undefined },
    ...floodRates.map((rate) => ({ name: rate === null ? "full speed" : `${rate.toLocaleString("en-US")}/s`, rate })),
  ];
  const outcomes: PhaseOutcome[] = [];
  try {
    for (const [index, phase] of phases.entries()) {
      if (nowMs() > context.options.deadlineAtMs) break;
      outcomes.push(await runPhase(context, floodPool, phase, `private-bench-flood-${index}`, receivers));
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    await floodPool.stop();
  }
  await context.closeAll();
  await context.finish(sqlBefore);
  return report(context, phases, outcomes, receivers, subscribed.failures + opened.failures);
}

async function runPhase(
  context: ScenarioContext,
  floodPool: ClientPool,
  phase: Phase,
  floodChannel: string,
  receivers: number,
): Promise<PhaseOutcome> {
  const { floodSeconds, pacedRate } = context.options;
  const triggers = floodSeconds * pacedRate;
  const flooders = new ScenarioContext(context.target, floodPool, context.options);
  if (phase.rate !== undefined) {
    await flooders.open(1);
    await flooders.subscribe(1, () => [{ channel: floodChannel }]);
  }
  let peakRss = context.serverRss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, context.serverRss());
  }, RSS_SAMPLE_MS);
  try {
    const run = await context.measure(async () => {
      const flooding =
        phase.rate === undefined
          ? Promise.resolve(undefined)
          : floodPool
              .all<FloodResult>(() => ({
                op: "flood",
                channel: floodChannel,
                ratePerSecond: phase.rate ?? null,
                durationMs: floodSeconds * 1000,
              }))
              .then(([result]) => result);
      const probing = new Promise((resolve) => setTimeout(resolve, PROBE_DELAY_MS)).then(() => context.open(PROBES));
      const [published, flooder, during] = await Promise.all([
        publish(context, triggers, 1, () => [CHANNEL], pacedRate),
        flooding,
        probing,
      ]);
      const after = await context.open(PROBES);
      await context.waitFor("deliveries", triggers * receivers);
      return { published, flooder, during, after };
    });
    await flooders.closeAll();
    addBilling(context, flooders, run.result.flooder?.sent ?? 0);
    return {
      deliveries: analyse(run.stats, triggers * receivers),
      flooder: run.result.flooder,
      during: run.result.during,
      after: run.result.after,
      peakRss,
      serverCpuSeconds: run.usage.serverCpuSeconds,
      publishFailures: run.result.published.failures,
    };
  } finally {
    clearInterval(sampler);
  }
}

/** The flooder's connect, subscribe and frames are billed like any other socket's. */
function addBilling(context: ScenarioContext, flooders: ScenarioContext, framesSent: number): void {
  context.billing.workerRequests += flooders.billing.workerRequests;
  context.billing.objectRequests += flooders.billing.objectRequests;
  context.billing.incomingMessages += flooders.billing.incomingMessages + framesSent;
}

function report(
  context: ScenarioContext,
  phases: Phase[],
  outcomes: PhaseOutcome[],
  receivers: number,
  earlierFailures: number,
): ScenarioResult {
  const quiet = outcomes[0]?.deliveries.latency.p99 ?? Number.NaN;
  const figures: Figure[] = [{ label: "receivers", value: receivers, unit: "", better: "none" }];
  const faults = { lost: 0, duplicates: 0, reordered: 0, errors: earlierFailures, failedSockets: 0 };
  outcomes.forEach((outcome, index) => {
    const name = phases[index]?.name ?? "?";
    const { deliveries, flooder } = outcome;
    figures.push(
      { label: `[${name}] latency p50`, value: deliveries.latency.p50, unit: "ms", better: "lower" },
      { label: `[${name}] latency p99`, value: deliveries.latency.p99, unit: "ms", better: "lower" },
      { label: `[${name}] latency max`, value: deliveries.latency.max, unit: "ms", better: "lower" },
    );
    if (flooder !== undefined) {
      const connectDuring = distribution(outcome.during.connectMs);
      figures.push(
        { label: `[${name}] p99 / no-flood p99`, value: deliveries.latency.p99 / quiet, unit: "x", better: "lower" },
        { label: `[${name}] lost`, value: deliveries.lost, unit: "", better: "lower" },
        { label: `[${name}] new sockets during flood`, value: connectDuring.count, unit: "", better: "higher" },
        { label: `[${name}] their connect p99`, value: connectDuring.p99, unit: "ms", better: "lower" },
        {
          label: `[${name}] new sockets just after`,
          value: outcome.after.connectMs.length,
          unit: "",
          better: "higher",
        },
        { label: `[${name}] flooder frames sent`, value: flooder.sent, unit: "", better: "none" },
        { label: `[${name}] flooder error frames got`, value: flooder.errorFrames, unit: "", better: "none" },
        { label: `[${name}] flooder close code`, value: flooder.closeCode ?? Number.NaN, unit: "", better: "none" },
        {
          label: `[${name}] flooder closed after`,
          value: flooder.closedAfterMs ?? Number.NaN,
          unit: "ms",
          better: "none",
        },
        {
          label: `[${name}] frames sent before close`,
          value: flooder.closedAfterMs === null ? Number.NaN : flooder.sentBeforeClose,
          unit: "",
          better: "none",
        },
      );
      if (flooder.lastError !== null) context.notes.push(`${name}: last error frame ${flooder.lastError}`);
    }
    figures.push(
      { label: `[${name}] server CPU`, value: outcome.serverCpuSeconds, unit: "s", better: "lower" },
      { label: `[${name}] server peak memory`, value: outcome.peakRss / 2 ** 20, unit: "MiB", better: "lower" },
    );
    faults.lost += deliveries.lost;
    faults.duplicates += deliveries.duplicates;
    faults.reordered += deliveries.reordered;
    faults.errors += deliveries.errors + outcome.publishFailures;
    faults.failedSockets += outcome.during.failures + outcome.after.failures;
    for (const sample of deliveries.errorSamples) context.notes.push(`${name}: error ${sample}`);
  });
  return { figures, billing: context.billing, notes: context.notes, faults };
}
