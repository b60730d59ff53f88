/** One line of the summary: a figure, and what it must be when there is a rule. */
export interface Row {
  label: string;
  value: string;
  /** What the value must be; absent for figures that are only reported. */
  mustBe?: string;
  ok?: boolean;
}

export interface Section {
  title: string;
  rows: Row[];
}

export function count(value: number): string {
  return value.toLocaleString("en-US");
}

export function seconds(value: number | undefined): string {
  return value === undefined || Number.isNaN(value) ? "-" : `${value.toFixed(1)} s`;
}

export function ms(value: number | undefined): string {
  return value === undefined || Number.isNaN(value) ? "-" : `${value.toFixed(0)} ms`;
}

/** A figure that must be zero. */
export function zero(label: string, value: number): Row {
  return { label, value: count(value), mustBe: "0", ok: value === 0 };
}

/** A figure that must equal `expected`. */
export function exactly(label: string, value: string, expected: string): Row {
  return { label, value, mustBe: expected, ok: value === expected };
}

export function info(label: string, value: string): Row {
  return { label, value };
}

export function failures(sections: readonly Section[]): Row[] {
  return sections.flatMap((section) => section.rows.filter((row) => row.ok === false));
}

/** The summary as a Markdown table per section, columns aligned so it reads as well in a terminal. */
export function render(sections: readonly Section[]): string {
  const rows = sections.flatMap((section) => section.rows);
  const width = (pick: (row: Row) => string, header: string) =>
    Math.max(header.length, ...rows.map((row) => pick(row).length));
  const labelWidth = width((row) => row.label, "check");
  const valueWidth = width((row) => row.value, "result");
  const ruleWidth = width((row) => row.mustBe ?? "", "must be");
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  const header = [
    line(["check".padEnd(labelWidth), "result".padStart(valueWidth), "must be".padEnd(ruleWidth), "    "]),
    line(["-".repeat(labelWidth), `${"-".repeat(valueWidth - 1)}:`, "-".repeat(ruleWidth), "----"]),
  ];
  return sections
    .map((section) => {
      const body = section.rows.map((row) =>
        line([
          row.label.padEnd(labelWidth),
          row.value.padStart(valueWidth),
          (row.mustBe ?? "").padEnd(ruleWidth),
          row.ok === undefined ? "    " : row.ok ? "ok  " : "FAIL",
        ]),
      );
      return [`### ${section.title}`, "", ...header, ...body].join("\n");
    })
    .join("\n\n");
}
