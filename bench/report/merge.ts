import type { Billing, ScenarioResult } from "../scenarios/context.ts";

function median(values: number[]): number {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/**
 * Several rounds of one scenario on one target, as one result: the median of
 * each figure (a shared, busy machine makes single rounds swing) with each
 * round's value beside it, faults
 * summed over all rounds (one lost message in any round is a fault), and the
 * median of each billed count.
 */
export function mergeRounds(rounds: ScenarioResult[]): ScenarioResult {
  const [first] = rounds;
  if (first === undefined) throw new Error("no rounds to merge");
  if (rounds.length === 1) return first;
  const billed = (key: keyof Billing) => median(rounds.map((round) => round.billing[key]));
  const summed = (key: keyof ScenarioResult["faults"]) => rounds.reduce((sum, round) => sum + round.faults[key], 0);
  const billing: Billing = {
    workerRequests: billed("workerRequests"),
    objectRequests: billed("objectRequests"),
    incomingMessages: billed("incomingMessages"),
    rowsRead: billed("rowsRead"),
    rowsWritten: billed("rowsWritten"),
    awakeSeconds: billed("awakeSeconds"),
  };
  return {
    figures: first.figures.map((figure) => {
      const values = rounds.map((round) => round.figures.find((f) => f.label === figure.label)?.value ?? Number.NaN);
      // Each round's value stays beside the median: a result near its target needs the spread too.
      return { ...figure, value: median(values), rounds: values };
    }),
    billing,
    faults: {
      lost: summed("lost"),
      duplicates: summed("duplicates"),
      reordered: summed("reordered"),
      errors: summed("errors"),
      failedSockets: summed("failedSockets"),
    },
    notes: [...new Set(rounds.flatMap((round) => round.notes))],
  };
}
