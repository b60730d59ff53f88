import type { Counter } from "../../contract/stats";

/** The history counters a hub keeps for the app's statistics. */
export type HistoryCounts = Record<"history_stored" | "history_pruned", number>;

/**
 * A hub's history counts since it last handed them on. Hubs keep no
 * statistics of their own: the counts go to the app's first shard, which
 * counts them with the app's (hubs/tally.ts), within FLUSH_INTERVAL_MS of
 * the first one and after any alarm.
 */
export class HistoryTally {
  private counts: HistoryCounts = { history_stored: 0, history_pruned: 0 };
  /** When the oldest count not yet handed on was made. */
  private since: number | undefined;

  constructor(
    /** Told when the first count of a new tally is made, to arm the alarm that hands it on. */
    private readonly started: () => void,
  ) {}

  count(counter: Counter, amount = 1): void {
    if (counter !== "history_stored" && counter !== "history_pruned") return;
    this.counts[counter] += amount;
    if (this.since !== undefined) return;
    this.since = Date.now();
    this.started();
  }

  startedAt(): number | undefined {
    return this.since;
  }

  /** The counts so far, reset; undefined when there are none. */
  take(): HistoryCounts | undefined {
    if (this.since === undefined) return undefined;
    const counts = this.counts;
    this.counts = { history_stored: 0, history_pruned: 0 };
    this.since = undefined;
    return counts;
  }
}
