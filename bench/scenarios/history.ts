import { BENCH_HISTORY } from "../load/app.ts";
import type { Figure, ScenarioContext, ScenarioResult } from "./context.ts";
import { analyse, publish } from "./publish.ts";

const SUBSCRIBERS = 100;

/**
 * Scenario 9: what channel history costs (docs/history.md, docs/cost.md).
 * The same subscribers hold a channel without history and one with it, and
 * the same number of triggers goes to each in turn: to the plain channel,
 * to the history channel while it fills up to `max_events`, and once it is
 * full (each event then also removes the oldest). Each phase reports the
 * SQLite rows written and read per event and the server CPU per trigger.
 */
export async function history(context: ScenarioContext): Promise<ScenarioResult> {
  const { lanes } = context.options;
  const perPhase = BENCH_HISTORY.max_events;
  // New channels each round: a history channel filled by an earlier round would measure as full.
  const round = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  const [plain, kept] = [`bench-plain-${round}`, `bench-history-${round}`];
  const sqlBefore = await context.target.sqlCounts();
  const opened = await context.open(SUBSCRIBERS);
  const subscribers = SUBSCRIBERS - opened.failures;
  const subscribed = await context.subscribe(SUBSCRIBERS, () => [{ channel: plain }, { channel: kept }]);

  const figures: Figure[] = [{ label: "subscribers", value: subscribers, unit: "", better: "none" }];
  const faults = { lost: 0, duplicates: 0, reordered: 0, errors: subscribed.failures, failedSockets: opened.failures };
  const phase = async (label: string, channel: string) => {
    const rowsBefore = await context.target.sqlCounts();
    const run = await context.measure(async () => {
      const published = await publish(context, perPhase, lanes, () => [channel]);
      const done = await context.waitFor("deliveries", perPhase * subscribers);
      return { published, done };
    });
    const rowsAfter = await context.target.sqlCounts();
    const deliveries = analyse(run.stats, perPhase * subscribers);
    const seconds = Math.max(1e-3, (run.result.done.lastAtMs - run.result.published.startedAtMs) / 1000);
    figures.push(
      {
        label: `rows written per event (${label})`,
        value: (rowsAfter.rowsWritten - rowsBefore.rowsWritten) / perPhase,
        unit: "",
        better: "lower",
      },
      {
        label: `rows read per event (${label})`,
        value: (rowsAfter.rowsRead - rowsBefore.rowsRead) / perPhase,
        unit: "",
        better: "lower",
      },
      {
        label: `server CPU per trigger (${label})`,
        value: (run.usage.serverCpuSeconds / perPhase) * 1e6,
        unit: "µs",
        better: "lower",
      },
      { label: `triggers/s (${label})`, value: perPhase / seconds, unit: "/s", better: "higher" },
      { label: `latency p50 (${label})`, value: deliveries.latency.p50, unit: "ms", better: "lower" },
    );
    faults.lost += deliveries.lost;
    faults.duplicates += deliveries.duplicates;
    faults.reordered += deliveries.reordered;
    faults.errors += deliveries.errors + run.result.published.failures;
    for (const sample of deliveries.errorSamples) context.notes.push(`error: ${sample}`);
  };
  await phase("no history", plain);
  await phase("history, filling", kept);
  await phase("history, full", kept);
  await context.closeAll();
  await context.finish(sqlBefore);
  context.notes.push(
    `${perPhase} triggers per phase to ${subscribers} subscribers; the history channel keeps at most ${perPhase} events`,
  );
  return { figures, billing: context.billing, notes: context.notes, faults };
}
