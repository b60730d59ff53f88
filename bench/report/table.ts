import type { TargetName } from "../host/miniflare.ts";
import type { Billing, ScenarioResult } from "../scenarios/context.ts";

export type ByTarget = Partial<Record<TargetName, ScenarioResult>>;

export function format(value: number | undefined, unit = ""): string {
  if (value === undefined || Number.isNaN(value)) return "-";
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return `${value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 })}${unit === "" ? "" : ` ${unit}`}`;
}

export function ratio(sower: number | undefined, baseline: number | undefined): string {
  if (sower === undefined || baseline === undefined || baseline === 0 || Number.isNaN(sower / baseline)) return "-";
  return `${(sower / baseline).toFixed(2)}x`;
}

export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
        .join("  "),
    )
    .join("\n");
}

export const BILLING_ROWS: Array<[keyof Billing, string]> = [
  ["workerRequests", "Worker requests"],
  ["objectRequests", "DO requests"],
  ["incomingMessages", "incoming WS messages"],
  ["rowsRead", "SQLite rows read"],
  ["rowsWritten", "SQLite rows written"],
  ["awakeSeconds", "time awake (s)"],
];

/** One scenario: each figure for Sower and the baseline, and Sower / baseline. */
export function scenarioTable(title: string, results: ByTarget): string {
  const labels = (results.sower ?? results.baseline)?.figures ?? [];
  const rows = [["", "Sower", "baseline", "Sower/baseline"]];
  for (const figure of labels) {
    const sower = results.sower?.figures.find((f) => f.label === figure.label)?.value;
    const baseline = results.baseline?.figures.find((f) => f.label === figure.label)?.value;
    rows.push([figure.label, format(sower, figure.unit), format(baseline, figure.unit), ratio(sower, baseline)]);
  }
  rows.push(["lost/dup/reordered/errors/failed sockets", faults(results.sower), faults(results.baseline), ""]);
  rows.push(["billed:", "", "", ""]);
  for (const [key, label] of BILLING_ROWS) {
    const sower = results.sower?.billing[key];
    const baseline = results.baseline?.billing[key];
    rows.push([`  ${label}`, format(sower), format(baseline), ratio(sower, baseline)]);
  }
  const notes = [
    ...(results.sower?.notes ?? []).map((note) => `  Sower: ${note}`),
    ...(results.baseline?.notes ?? []).map((note) => `  baseline: ${note}`),
  ];
  return [`\n== ${title}`, table(rows), ...notes].join("\n");
}

export function faults(result: ScenarioResult | undefined): string {
  return result === undefined
    ? "-"
    : `${result.faults.lost}/${result.faults.duplicates}/${result.faults.reordered}/${result.faults.errors}/${result.faults.failedSockets}`;
}
