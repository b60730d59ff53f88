import type { Store, SubscriptionChange, SubscriptionRow } from "./store";

/**
 * Subscription rows, written behind the replies in batches.
 *
 * Every event that writes to SQLite ends in a commit of its own, and writing
 * each subscription in its own event made a subscribe cost three times the
 * CPU of a bare Durable Object's (bench/RESULTS.md). Changes wait here for a
 * zero-delay timer instead, and a burst of them is written in one step. That
 * loses nothing anyone could see:
 * - The runtime never hibernates an object while a timer is pending, so the
 *   rows are complete before the Beacon can sleep and be rebuilt from them.
 * - A shutdown (a deploy, a crash) drops the timer, but it also closes every
 *   socket: the changes not written belonged to sockets that are gone, and
 *   the next wake reconciles whatever rows there are against no sockets.
 * - Webhooks tell the outside world, so queueing one settles this first
 *   (see WebhookQueue): the outbox row and the rows it reports are committed
 *   together, and a wake never reports a leave whose join was never sent.
 */
export class SubscriptionRows {
  private pending: SubscriptionChange[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly store: Store,
    /** Told when a batch could not be written, with how many changes it held. */
    private readonly failed: (error: unknown, changes: number) => void,
  ) {}

  /** Every stored row, pending changes included. */
  all(): SubscriptionRow[] {
    this.settle();
    return this.store.allSubscriptions();
  }

  add(row: SubscriptionRow): void {
    this.queue({ kind: "add", row });
  }

  remove(socketId: string, channel: string): void {
    this.queue({ kind: "remove", socketId, channel });
  }

  removeSocket(socketId: string): void {
    this.queue({ kind: "remove-socket", socketId });
  }

  /** Writes every pending change now, in the order the changes were made. */
  settle(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending.length === 0) return;
    const changes = this.pending;
    this.pending = [];
    this.store.applySubscriptionChanges(changes);
  }

  private queue(change: SubscriptionChange): void {
    this.pending.push(change);
    this.timer ??= setTimeout(() => this.settleLater(), 0);
  }

  private settleLater(): void {
    const changes = this.pending.length;
    try {
      this.settle();
    } catch (error) {
      this.failed(error, changes);
    }
  }
}
