import type { WebhookOutcome } from "./stats";

/**
 * A hub's webhook outcomes since it last handed them on. Hubs keep no
 * statistics of their own; after each alarm the tally goes to the app's
 * first shard, which counts it with the app's (hubs/tally.ts).
 */
export class WebhookTally {
  private counts: Record<WebhookOutcome, number> = { delivered: 0, retrying: 0, failed: 0 };

  countWebhook(outcome: WebhookOutcome, events = 1): void {
    this.counts[outcome] += events;
  }

  /** The counts so far, reset; undefined when there are none. */
  take(): Record<WebhookOutcome, number> | undefined {
    const counts = this.counts;
    if (counts.delivered + counts.retrying + counts.failed === 0) return undefined;
    this.counts = { delivered: 0, retrying: 0, failed: 0 };
    return counts;
  }
}
