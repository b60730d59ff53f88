import { log } from "../../log";

/** What timed work is run with: the awake Beacon's state, which names its app. */
export interface AlarmContext {
  readonly app: { readonly id: string };
}

/**
 * One kind of timed work whose due times live in SQLite. A Durable Object
 * has a single alarm, so every kind reports its earliest due time and the
 * alarm is set to the earliest of all.
 */
export interface TimedWork<Context> {
  readonly name: string;
  /** The earliest due time of this kind's stored work, or undefined when it has none. */
  nextDueAt(): number | undefined;
  /** Does whatever is due. `reschedule` re-arms the alarm mid-run (before a request that may never return). */
  run(context: Context, reschedule: () => void): Promise<void>;
}

/** After a kind throws, its due work waits this long instead of re-firing the alarm at once. */
const AFTER_FAILURE_MS = 5000;

/**
 * Keeps the object's one alarm at the earliest due time across all kinds of
 * work, and clears it when nothing is due, so the object sleeps whenever it can.
 */
export class AlarmClock<Context extends AlarmContext> {
  /** What the alarm is set to: a time, null for none, undefined when not known (after a wake). */
  private armedAt: number | null | undefined;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly kinds: ReadonlyArray<TimedWork<Context>>,
  ) {}

  /**
   * Call after storing work due at `dueAt`: free when the alarm is already
   * known to ring by then, which is the common case on a busy socket.
   */
  wake(dueAt: number): void {
    if (typeof this.armedAt === "number" && this.armedAt <= dueAt) return;
    this.reschedule();
  }

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
      // Only an alarm this instance set is cleared: after a wake, a stale one rings once for nothing,
      // which is cheaper than a storage write on every wake.
      if (typeof this.armedAt === "number") this.storage.deleteAlarm().catch((error) => this.writeFailed(error));
      this.armedAt = null;
      return;
    }
    next = Math.max(next, notBefore);
    if (next === this.armedAt) return;
    this.armedAt = next;
    // Not awaited: the output gate holds outgoing messages until the write is durable.
    this.storage.setAlarm(next).catch((error) => this.writeFailed(error));
  }

  /** The alarm handler: runs every kind, then re-arms for whatever is left. */
  async ring(context: Context): Promise<void> {
    // The alarm that fired is spent; anything set while running is a new one.
    this.armedAt = undefined;
    let failed = false;
    for (const kind of this.kinds) {
      try {
        await kind.run(context, () => this.reschedule());
      } catch (error) {
        failed = true;
        log("error", "alarm work failed", { app: context.app.id, work: kind.name, error: String(error) });
      }
    }
    this.reschedule(failed ? Date.now() + AFTER_FAILURE_MS : 0);
  }

  /** The next reschedule must not trust what it believes is armed. */
  private writeFailed(error: unknown): void {
    this.armedAt = undefined;
    log("error", "could not set the alarm", { error: String(error) });
  }
}
