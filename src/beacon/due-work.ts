import { log } from "../log";

/**
 * Every kind of timed work the Beacon does. Each kind has one runner in
 * alarm.ts; add a kind here and the exhaustive switch there asks for it.
 */
export type DueKind = "subscription-count" | "authorization-deadline";

const KINDS: ReadonlySet<string> = new Set<DueKind>(["subscription-count", "authorization-deadline"]);

function isDueKind(kind: string): kind is DueKind {
  return KINDS.has(kind);
}

const SCHEMA = `CREATE TABLE IF NOT EXISTS due_work (
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  due_at INTEGER NOT NULL,
  PRIMARY KEY (kind, key)
) WITHOUT ROWID`;
const INDEX = "CREATE INDEX IF NOT EXISTS due_work_by_time ON due_work (due_at)";

/**
 * Timed work kept in SQLite and run by the Durable Object alarm, so nothing
 * timed lives in memory (a timer would keep the object awake and die with
 * it on eviction). The object's single alarm is always set to the earliest
 * due time in the table: scheduling only moves it when the new item is the
 * earliest, and each alarm run re-arms it for what is left.
 */
export class DueWork {
  constructor(private readonly storage: DurableObjectStorage) {
    storage.sql.exec(SCHEMA);
    storage.sql.exec(INDEX);
  }

  /** Schedules `key` unless it is already due sooner (coalescing repeated requests). */
  schedule(kind: DueKind, key: string, dueAt: number): void {
    const existing = this.dueAt(kind, key);
    if (existing !== undefined && existing <= dueAt) return;
    this.storage.sql.exec("INSERT OR REPLACE INTO due_work (kind, key, due_at) VALUES (?, ?, ?)", kind, key, dueAt);
    if (this.earliest() === dueAt) this.arm(dueAt);
  }

  cancel(kind: DueKind, key: string): void {
    this.storage.sql.exec("DELETE FROM due_work WHERE kind = ? AND key = ?", kind, key);
  }

  dueAt(kind: DueKind, key: string): number | undefined {
    const rows = this.storage.sql.exec<{ due_at: number }>(
      "SELECT due_at FROM due_work WHERE kind = ? AND key = ?",
      kind,
      key,
    );
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
    const rows = this.storage.sql
      .exec<{ kind: string; key: string }>("SELECT kind, key FROM due_work WHERE due_at <= ?", now)
      .toArray();
    this.storage.sql.exec("DELETE FROM due_work WHERE due_at <= ?", now);
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

  /** Re-arms the alarm for the earliest work left, if any. */
  rearm(): void {
    const next = this.earliest();
    if (next !== undefined) this.arm(next);
  }

  private earliest(): number | undefined {
    for (const row of this.storage.sql.exec<{ next: number | null }>("SELECT MIN(due_at) AS next FROM due_work")) {
      return row.next ?? undefined;
    }
    return undefined;
  }

  private arm(at: number): void {
    // The runtime's output gate holds outgoing messages until this write lands.
    this.storage
      .setAlarm(at)
      .catch((error: unknown) => log("error", "could not set the alarm", { error: String(error) }));
  }
}
