import { log } from "../../log";

/**
 * The kinds of keyed timed work in this table. Each kind has one runner in
 * alarms/due-work-runners.ts; add a kind here and the exhaustive switch
 * there asks for it.
 */
export type DueKind = "subscription-count" | "authorization-deadline" | "hub-report";

const KINDS: ReadonlySet<string> = new Set<DueKind>(["subscription-count", "authorization-deadline", "hub-report"]);

function isDueKind(kind: string): kind is DueKind {
  return KINDS.has(kind);
}

/**
 * Keyed timed work (one row per kind and key) kept in SQLite and run by the
 * Durable Object alarm, so nothing timed lives in memory: a timer would keep
 * the object awake and die with it on eviction. The table does not own the
 * alarm: whoever does is told through `onEarlierWork` when a new row became
 * the earliest, and asks `nextDueAt()` what to arm it for.
 */
export class DueWork {
  constructor(
    private readonly sql: SqlStorage,
    private readonly onEarlierWork: () => void,
  ) {}

  /** Schedules `key` unless it is already due sooner (coalescing repeated requests). */
  schedule(kind: DueKind, key: string, dueAt: number): void {
    const existing = this.dueAt(kind, key);
    if (existing !== undefined && existing <= dueAt) return;
    this.sql.exec("INSERT OR REPLACE INTO due_work (kind, key, due_at) VALUES (?, ?, ?)", kind, key, dueAt);
    if (this.nextDueAt() === dueAt) this.onEarlierWork();
  }

  cancel(kind: DueKind, key: string): void {
    this.sql.exec("DELETE FROM due_work WHERE kind = ? AND key = ?", kind, key);
  }

  dueAt(kind: DueKind, key: string): number | undefined {
    const rows = this.sql.exec<{ due_at: number }>("SELECT due_at FROM due_work WHERE kind = ? AND key = ?", kind, key);
    for (const row of rows) return row.due_at;
    return undefined;
  }

  /**
   * Removes and returns everything due by `now`, grouped by kind. Taken
   * before it runs, so a runner that fails is logged rather than retried
   * forever by the platform's alarm retries.
   */
  takeDue(now: number): Map<DueKind, string[]> {
    const due = new Map<DueKind, string[]>();
    const rows = this.sql
      .exec<{ kind: string; key: string }>("SELECT kind, key FROM due_work WHERE due_at <= ?", now)
      .toArray();
    this.sql.exec("DELETE FROM due_work WHERE due_at <= ?", now);
    for (const { kind, key } of rows) {
      if (!isDueKind(kind)) {
        log("warn", "dropped due work of an unknown kind", { kind });
        continue;
      }
      const keys = due.get(kind);
      if (keys === undefined) due.set(kind, [key]);
      else keys.push(key);
    }
    return due;
  }

  /** The earliest due time in the table, or undefined when nothing is scheduled. */
  nextDueAt(): number | undefined {
    for (const row of this.sql.exec<{ next: number | null }>("SELECT MIN(due_at) AS next FROM due_work")) {
      return row.next ?? undefined;
    }
    return undefined;
  }
}
