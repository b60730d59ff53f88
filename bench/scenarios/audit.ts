import { nowMs } from "../load/messages.ts";
import type { SqlCounts } from "../targets/counts.ts";
import type { Figure, ScenarioContext, ScenarioResult } from "./context.ts";
import { publish } from "./publish.ts";

const CHANNEL = "bench-audit";
/** How long the outbox may take to reach D1 after the last trigger (its flush waits a second for company). */
const DRAIN_MS = 30_000;

/**
 * The audit log's cost (docs/audit.md, docs/cost.md): triggers to a channel
 * nobody subscribes to, so the only rows they write are their audit
 * entries; then the wait for the alarm to take the outbox to D1. Reports
 * the Durable Object's SQLite rows and D1's rows and batches per trigger.
 */
export async function audit(context: ScenarioContext): Promise<ScenarioResult> {
  const { triggers, lanes } = context.options;
  const before = await context.target.sqlCounts();
  const published = await publish(context, triggers, lanes, () => [CHANNEL]);
  const sent = triggers - published.failures;
  const deadline = nowMs() + DRAIN_MS;
  const waiting = (counts: SqlCounts) => sent - (counts.auditEntriesInD1 - before.auditEntriesInD1);
  let after = await context.target.sqlCounts();
  while (waiting(after) > 0 && nowMs() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    after = await context.target.sqlCounts();
  }
  await context.finish(before);
  if (waiting(after) > 0) context.notes.push(`${waiting(after)} audit entries not in D1 after ${DRAIN_MS} ms`);
  const per = (value: number) => value / Math.max(1, sent);
  const figures: Figure[] = [
    { label: "triggers", value: sent, unit: "", better: "none" },
    {
      label: "DO SQLite rows written per trigger",
      value: per(after.rowsWritten - before.rowsWritten),
      unit: "",
      better: "lower",
    },
    {
      label: "D1 rows written per trigger",
      value: per(after.d1RowsWritten - before.d1RowsWritten),
      unit: "",
      better: "lower",
    },
    { label: "D1 batches per trigger", value: per(after.d1Batches - before.d1Batches), unit: "", better: "lower" },
    { label: "D1 bytes per entry", value: per(after.d1Bytes - before.d1Bytes), unit: "B", better: "lower" },
  ];
  return {
    figures,
    billing: context.billing,
    notes: context.notes,
    faults: {
      lost: Math.max(0, waiting(after)),
      // Each trigger is one entry: any more in D1 would be a batch stored twice.
      duplicates: Math.max(0, -waiting(after)),
      reordered: 0,
      errors: published.failures,
      failedSockets: 0,
    },
  };
}
