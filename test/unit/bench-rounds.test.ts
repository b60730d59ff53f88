import { describe, expect, it } from "vitest";
import { mergeRounds } from "../../bench/report/merge";
import type { ScenarioResult } from "../../bench/scenarios/context";

function round(cpu: number, lost: number): ScenarioResult {
  return {
    figures: [{ label: "server CPU per delivery", value: cpu, unit: "µs", better: "lower" }],
    billing: {
      workerRequests: 1,
      objectRequests: 1,
      incomingMessages: 0,
      rowsRead: 0,
      rowsWritten: 0,
      awakeSeconds: 1,
    },
    faults: { lost, duplicates: 0, reordered: 0, errors: 0, failedSockets: 0 },
    notes: [],
  };
}

describe("bench rounds merged", () => {
  it("give each figure's median with every round's value beside it, in the order run, and sum the faults", () => {
    const merged = mergeRounds([round(31, 0), round(27, 2), round(29, 1)]);
    expect(merged.figures).toEqual([
      { label: "server CPU per delivery", value: 29, unit: "µs", better: "lower", rounds: [31, 27, 29] },
    ]);
    expect(merged.faults.lost).toBe(3);
  });
});
