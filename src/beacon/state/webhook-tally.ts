import type { WebhookAttempt } from "../../contract/console";
import type { WebhookOutcome } from "./stats";

/** The most attempts a hub hands on at once: the webhooks view keeps only the latest few anyway. */
const ATTEMPTS_HANDED_ON = 20;

/** What a hub hands on after an alarm: its outcome counts and its latest attempts. */
export interface TallyTaken {
  counts: Record<WebhookOutcome, number>;
  attempts: WebhookAttempt[];
}

/**
 * A hub's webhook outcomes since it last handed them on. Hubs keep no
 * statistics of their own; after each alarm the tally goes to the app's
 * first shard, which counts it with the app's (hubs/tally.ts), and keeps the
 * attempts for the webhooks view and the consoles.
 */
export class WebhookTally {
  private counts: Record<WebhookOutcome, number> = { delivered: 0, retrying: 0, failed: 0 };
  private attempts: WebhookAttempt[] = [];

  countWebhook(outcome: WebhookOutcome, events = 1): void {
    this.counts[outcome] += events;
  }

  record(attempt: WebhookAttempt): void {
    this.attempts.push(attempt);
    if (this.attempts.length > ATTEMPTS_HANDED_ON) this.attempts.shift();
  }

  /** The counts and attempts so far, reset; undefined when there are none. */
  take(): TallyTaken | undefined {
    const { counts, attempts } = this;
    if (counts.delivered + counts.retrying + counts.failed === 0 && attempts.length === 0) return undefined;
    this.counts = { delivered: 0, retrying: 0, failed: 0 };
    this.attempts = [];
    return { counts, attempts };
  }
}
