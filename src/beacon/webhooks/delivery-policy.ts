import { utf8Length } from "../../lib/text";
import type { OutboxRow } from "../state/webhook-outbox";

/**
 * When webhooks are sent, retried and given up (docs/protocol.md §13.6).
 *
 * The promise behind the numbers: once a failing endpoint answers again,
 * everything still queued for it arrives within 15 s. An attempt starts at
 * most `maxRetryMs` after the previous one started, and a hanging attempt
 * ends after `timeoutMs`; since the back-off is counted from an attempt's
 * start, a time-out longer than the back-off is followed at once by the
 * next attempt. So the first attempt after recovery starts within
 * max(maxRetryMs, timeoutMs) = 5 s, and the rest of the backlog follows
 * without pause, one request after another.
 */
export const DELIVERY = {
  /** An endpoint that has not answered by then counts as failed. */
  timeoutMs: 5000,
  maxEventsPerRequest: 100,
  maxBodyBytes: 100 * 1024,
  firstRetryMs: 1000,
  /** No more than the time-out, so a hanging endpoint is retried the moment its request gives up. */
  maxRetryMs: 5000,
  /**
   * Undelivered events are kept for an hour (Pusher: five minutes), which
   * rides out a deploy or an ordinary incident. It is not longer because
   * a failing endpoint with events queued is tried every 5 s, which keeps
   * the object awake; an endpoint that is gone for good costs that for an
   * hour after its last event and then nothing.
   */
  maxAgeMs: 60 * 60_000,
  /** ...and given up only after this many attempts as well, so a long sleep of the object alone drops nothing. */
  minAttempts: 5,
  /**
   * The most events kept per endpoint; beyond it the oldest go. It bounds
   * storage (at most this many times the largest event) and the time a
   * recovered endpoint takes to catch up: 100 requests of 100 events.
   */
  maxBacklog: 10_000,
  /**
   * An alarm starts no request after running this long, so that held
   * leaves, subscription counts and deadlines, which wait for the alarm,
   * get their turn; a longer backlog goes on in the next alarm at once.
   */
  maxAlarmMs: 2000,
} as const;

/** Exponential back-off after the given attempt, counted from its start: 1 s, 2 s, 4 s, then every 5 s. */
export function retryDelayMs(attempt: number): number {
  return Math.min(DELIVERY.firstRetryMs * 2 ** Math.max(0, attempt - 1), DELIVERY.maxRetryMs);
}

/**
 * Failures are logged at the first attempt and then at every power of two,
 * so an endpoint down for an hour (720 attempts) logs ten lines, not 720.
 */
export function failureIsLogged(attempt: number): boolean {
  return attempt >= 1 && (attempt & (attempt - 1)) === 0;
}

/** The oldest rows that fit in one request body; always at least one, so nothing is stuck. */
export function fitInOneRequest(rows: readonly OutboxRow[]): OutboxRow[] {
  const fitting: OutboxRow[] = [];
  let bytes = 0;
  for (const row of rows) {
    bytes += utf8Length(row.event) + 1;
    if (fitting.length > 0 && bytes > DELIVERY.maxBodyBytes) break;
    fitting.push(row);
  }
  return fitting;
}
