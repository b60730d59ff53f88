import type { ScenarioResult } from "../scenarios/context.ts";
import { BILLING_ROWS, faults, format, ratio, table } from "./table.ts";

export interface Column {
  name: string;
  result: ScenarioResult;
}

/**
 * One scenario on several targets side by side (the baseline and Sower at
 * each shard count), then each column after `reference` against it.
 */
export function columnsTable(title: string, columns: readonly Column[], reference: string): string {
  const base = columns.find((column) => column.name === reference);
  const compared = base === undefined ? [] : columns.slice(columns.indexOf(base) + 1);
  const header = [
    "",
    ...columns.map((column) => column.name),
    ...compared.map((column) => `${column.name}/${reference}`),
  ];
  const rows = [header];
  const value = (result: ScenarioResult, label: string) => result.figures.find((f) => f.label === label)?.value;
  for (const figure of columns.find((column) => column.result.figures.length > 0)?.result.figures ?? []) {
    rows.push([
      figure.label,
      ...columns.map((column) => format(value(column.result, figure.label), figure.unit)),
      ...compared.map((column) =>
        base === undefined ? "-" : ratio(value(column.result, figure.label), value(base.result, figure.label)),
      ),
    ]);
  }
  rows.push([
    "lost/dup/reordered/errors/failed sockets",
    ...columns.map((column) => faults(column.result)),
    ...compared.map(() => ""),
  ]);
  rows.push(["billed:", ...columns.map(() => ""), ...compared.map(() => "")]);
  for (const [key, label] of BILLING_ROWS) {
    rows.push([
      `  ${label}`,
      ...columns.map((column) => format(column.result.billing[key])),
      ...compared.map((column) =>
        base === undefined ? "-" : ratio(column.result.billing[key], base.result.billing[key]),
      ),
    ]);
  }
  const notes = columns.flatMap((column) => column.result.notes.map((note) => `  ${column.name}: ${note}`));
  return [`\n== ${title}`, table(rows), ...notes].join("\n");
}
