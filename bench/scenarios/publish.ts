import type { DeliveryStats } from "../load/messages.ts";
import { nowMs, stamp } from "../load/messages.ts";
import { Publisher } from "../load/rest.ts";
import { concat, type Distribution, distribution } from "../report/stats.ts";
import type { Figure, ScenarioContext, ScenarioResult, Usage } from "./context.ts";

const EVENT_NAME = "bench-event";

export interface Published {
  startedAtMs: number;
  failures: number;
}

/**
 * Posts `total` triggers over `lanes` keep-alive connections, each lane one
 * request at a time (so its events must arrive in order), optionally paced
 * to `ratePerSecond` overall. `channelsFor(k)` gives trigger k's channels:
 * one event to all of them, or with `batched` one event to each in one
 * `/batch_events` call.
 */
export async function publish(
  context: ScenarioContext,
  total: number,
  lanes: number,
  channelsFor: (trigger: number) => string[],
  ratePerSecond?: number,
  batched = false,
): Promise<Published> {
  const publisher = new Publisher(context.target.origin, lanes);
  const padding = "x".repeat(context.options.payloadBytes);
  const startedAtMs = nowMs();
  const lane = async (laneIndex: number) => {
    for (let trigger = laneIndex, seq = 0; trigger < total; trigger += lanes, seq++) {
      if (ratePerSecond !== undefined) {
        const due = startedAtMs + (trigger * 1000) / ratePerSecond;
        const wait = due - nowMs();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
      if (nowMs() > context.options.deadlineAtMs) break;
      const data = JSON.stringify(stamp(laneIndex, seq, padding));
      if (batched) await publisher.batch(channelsFor(trigger), EVENT_NAME, data);
      else await publisher.trigger(channelsFor(trigger), EVENT_NAME, data);
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, total) }, (_, index) => lane(index)));
  publisher.close();
  context.billing.workerRequests += publisher.requests;
  context.billing.objectRequests += publisher.requests;
  return { startedAtMs, failures: publisher.failures };
}

export interface DeliveryAnalysis {
  latency: Distribution;
  /** Per trigger: from publish to its first and to its last subscriber. */
  toFirst: Distribution;
  toLast: Distribution;
  unique: number;
  lost: number;
  duplicates: number;
  reordered: number;
  errors: number;
  errorSamples: string[];
}

export function analyse(stats: DeliveryStats[], expected: number): DeliveryAnalysis {
  const spans = new Map<string, [number, number]>();
  for (const thread of stats) {
    for (const [event, first, last] of thread.firstLast) {
      const span = spans.get(event);
      if (span === undefined) spans.set(event, [first, last]);
      else spans.set(event, [Math.min(span[0], first), Math.max(span[1], last)]);
    }
  }
  const toFirst = [...spans.values()].map(([first]) => first);
  const toLast = [...spans.values()].map(([, last]) => last);
  const unique = stats.reduce((sum, thread) => sum + thread.unique, 0);
  return {
    latency: distribution(concat(stats.map((thread) => thread.latencies))),
    toFirst: distribution(toFirst),
    toLast: distribution(toLast),
    unique,
    lost: Math.max(0, expected - unique),
    duplicates: stats.reduce((sum, thread) => sum + thread.duplicates, 0),
    reordered: stats.reduce((sum, thread) => sum + thread.reordered, 0),
    errors: stats.reduce((sum, thread) => sum + thread.errors, 0),
    errorSamples: stats.flatMap((thread) => thread.errorSamples).slice(0, 3),
  };
}

/**
 * What a phase of deliveries reports besides its throughput: server CPU per
 * `unit` delivered, latency, and each side's CPU, so a reader sees which
 * side saturated.
 */
export function deliveryFigures(unit: string, usage: Usage, deliveries: DeliveryAnalysis): Figure[] {
  return [
    {
      label: `server CPU per ${unit}`,
      value: (usage.serverCpuSeconds / Math.max(1, deliveries.unique)) * 1e6,
      unit: "µs",
      better: "lower",
    },
    { label: "latency p50", value: deliveries.latency.p50, unit: "ms", better: "lower" },
    { label: "latency p99", value: deliveries.latency.p99, unit: "ms", better: "lower" },
    { label: "server CPU", value: usage.serverCpuSeconds, unit: "s", better: "lower" },
    { label: "load generator CPU", value: usage.clientCpuSeconds, unit: "s", better: "none" },
    { label: "busiest client thread", value: usage.clientUtilisation * 100, unit: "%", better: "none" },
  ];
}

/** A phase's faults: what its deliveries lost, doubled or reordered, plus errors met on the way there. */
export function deliveryFaults(
  deliveries: DeliveryAnalysis,
  earlierErrors: number,
  failedSockets: number,
): ScenarioResult["faults"] {
  return {
    lost: deliveries.lost,
    duplicates: deliveries.duplicates,
    reordered: deliveries.reordered,
    errors: deliveries.errors + earlierErrors,
    failedSockets,
  };
}

/**
 * A fan-out's faults, from its burst's and its paced run's deliveries: the
 * triggers, subscribes and sockets that failed count as errors beside them.
 */
export function fanoutFaults(
  burst: DeliveryAnalysis,
  paced: DeliveryAnalysis,
  failedCalls: number,
  failedSockets: number,
): ScenarioResult["faults"] {
  return {
    lost: burst.lost + paced.lost,
    duplicates: burst.duplicates + paced.duplicates,
    reordered: burst.reordered + paced.reordered,
    errors: burst.errors + paced.errors + failedCalls,
    failedSockets,
  };
}
