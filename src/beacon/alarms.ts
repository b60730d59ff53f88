import { log } from "../log";

/**
 * One kind of timed work whose due times live in SQLite. A Durable Object
 * has a single alarm, so every kind reports its earliest due time and the
 * alarm is set to the earliest of all.
 */
export interface TimedWork {
  readonly name: string;
  /** The earliest due time of this kind's stored work, or undefined when it has none. */
  nextDueAt(): number | undefined;
  /**
   * Does whatever is due. `reschedule` re-arms the alarm mid-run. "blocked"
   * means the due work cannot be done yet and should wait a while.
   */
  run(reschedule: () => void): Promise<"done" | "blocked">;
}

/** After a kind throws or is blocked, due work waits this long instead of re-firing the alarm at once. */
const AFTER_FAILURE_MS = 5000;

/**
 * Keeps the object's one alarm at the earliest due time across all kinds of
 * work, and clears it when nothing is due, so the object sleeps whenever it can.
 */
export class AlarmClock {
  /** What the alarm is set to: a time, null for none, undefined when not known (after a wake). */
  private armedAt: number | null | undefined;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly kinds: readonly TimedWork[],
    private readonly context: () => Record<string, unknown>,
  ) {}

  /**
   * Call after changing any stored due time. Cheap when nothing changed: one
   * indexed query per kind and no storage write.
   */
  reschedule(notBefore = 0): void {
    let next: number | undefined;
    for (const kind of this.kinds) {
      const due = kind.nextDueAt();
      if (due !== undefined && (next === undefined || due < next)) next = due;
    }
    if (next === undefined) {
      if (this.armedAt !== null) void this.storage.deleteAlarm();
      this.armedAt = null;
      return;
    }
    next = Math.max(next, notBefore);
    if (next === this.armedAt) return;
    this.armedAt = next;
    // Not awaited: the output gate holds outgoing messages until the write is durable.
    void this.storage.setAlarm(next);
  }

  /** The alarm handler: runs every kind, then re-arms for whatever is left. */
  async ring(): Promise<void> {
    // The alarm that fired is spent; anything set while running is a new one.
    this.armedAt = undefined;
    let failed = false;
    for (const kind of this.kinds) {
      try {
        if ((await kind.run(() => this.reschedule())) === "blocked") failed = true;
      } catch (error) {
        failed = true;
        log("error", "alarm work failed", { ...this.context(), work: kind.name, error: String(error) });
      }
    }
    this.reschedule(failed ? Date.now() + AFTER_FAILURE_MS : 0);
  }
}
