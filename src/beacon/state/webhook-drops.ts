/**
 * Webhook events given up per endpoint since its backlog last drained, so
 * that a run of drops during one outage is logged once when it starts and
 * once when it ends, however many attempts it spans. Kept in memory only:
 * after a wake, the next drop starts a new run and is logged again.
 */
export class WebhookDrops {
  private readonly runs = new Map<string, number>();

  /** Records `dropped` events; true when they start a run, which is when to log. */
  add(endpoint: string, dropped: number): boolean {
    if (dropped <= 0) return false;
    const before = this.runs.get(endpoint);
    this.runs.set(endpoint, (before ?? 0) + dropped);
    return before === undefined;
  }

  /** The endpoint's backlog drained: ends its run and returns how many events the run lost. */
  end(endpoint: string): number {
    const dropped = this.runs.get(endpoint) ?? 0;
    this.runs.delete(endpoint);
    return dropped;
  }
}
