import { hmacSha256Hex } from "../../auth/crypto";
import type { App, WebhookEndpoint } from "../../config/app";
import { utf8Length } from "../../lib/text";
import { log } from "../../log";
import { WEBHOOK_CONTENT_TYPE, WEBHOOK_HEADERS } from "../../protocol/webhooks";
import type { Stats } from "../state/stats";
import type { OutboxRow, WebhookOutbox } from "../state/webhook-outbox";

/** Where delivery outcomes are counted, for the app's statistics. */
export type WebhookMeter = Pick<Stats, "countWebhook">;

export const DELIVERY = {
  /** An endpoint that has not answered by then counts as failed; the alarm moves on. */
  timeoutMs: 5000,
  maxEventsPerRequest: 100,
  maxBodyBytes: 100 * 1024,
  firstRetryMs: 1000,
  maxRetryMs: 60_000,
  /** Pusher retries for five minutes; we keep trying at least twice as long... */
  maxAgeMs: 10 * 60_000,
  /** ...and at least this many times, so a long sleep of the object alone never drops anything. */
  minAttempts: 5,
  /** Requests per endpoint in one alarm, so a large backlog cannot hold the alarm for ever. */
  maxRequestsPerAlarm: 20,
} as const;

/** Exponential back-off after the given attempt: 1 s, 2 s, 4 s, ... capped at a minute. */
export function retryDelayMs(attempt: number): number {
  return Math.min(DELIVERY.firstRetryMs * 2 ** Math.max(0, attempt - 1), DELIVERY.maxRetryMs);
}

type Outcome = { ok: true } | { ok: false; reason: string };

/**
 * Sends every due batch, one request at a time per endpoint and endpoints in
 * parallel. Rows are removed only after a 2xx. `attempted` runs once the
 * attempts are recorded, before any request goes out, so the alarm is set
 * for their retry even if the object dies mid-request.
 */
export async function deliverDue(
  app: App,
  outbox: WebhookOutbox,
  attempted: () => void,
  meter?: WebhookMeter,
): Promise<void> {
  for (let round = 0; round < DELIVERY.maxRequestsPerAlarm; round++) {
    const now = Date.now();
    const requests: Array<Promise<void>> = [];
    for (const url of outbox.dueEndpoints(now)) {
      const endpoint = app.webhooks.find((candidate) => candidate.url === url);
      if (endpoint === undefined) {
        const dropped = outbox.forgetEndpoint(url);
        log("warn", "webhook endpoint removed from configuration; its queued events are dropped", {
          app: app.id,
          endpoint: hostOf(url),
          dropped,
        });
        continue;
      }
      const rows = fitInOneRequest(outbox.batch(url, now, DELIVERY.maxEventsPerRequest));
      if (rows.length === 0) continue;
      const attempt = outbox.beginAttempt(url, (n) => now + retryDelayMs(n));
      requests.push(
        send(app, endpoint, rows).then((outcome) => settle(app, outbox, url, rows, attempt, outcome, meter)),
      );
    }
    if (requests.length === 0) return;
    attempted();
    await Promise.all(requests);
  }
}

function settle(
  app: App,
  outbox: WebhookOutbox,
  url: string,
  rows: readonly OutboxRow[],
  attempt: number,
  outcome: Outcome,
  meter: WebhookMeter | undefined,
): void {
  if (outcome.ok) {
    outbox.delivered(url, rows);
    meter?.countWebhook("delivered", rows.length);
    return;
  }
  const now = Date.now();
  const fields = { app: app.id, endpoint: hostOf(url), attempt, reason: outcome.reason };
  if (attempt >= DELIVERY.minAttempts && (rows[0]?.createdAt ?? now) <= now - DELIVERY.maxAgeMs) {
    const dropped = outbox.dropOlderThan(url, now - DELIVERY.maxAgeMs);
    log("error", "webhook delivery abandoned after retrying too long", { ...fields, dropped });
    meter?.countWebhook("failed", dropped);
    return;
  }
  meter?.countWebhook("retrying", rows.length);
  log("warn", "webhook delivery failed; will retry", { ...fields, retryInMs: retryDelayMs(attempt) });
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

async function send(app: App, endpoint: WebhookEndpoint, rows: readonly OutboxRow[]): Promise<Outcome> {
  // Stored events are already JSON, so the body is assembled rather than re-encoded.
  const body = `{"time_ms":${Date.now()},"events":[${rows.map((row) => row.event).join(",")}]}`;
  const headers = new Headers(endpoint.headers);
  headers.set(WEBHOOK_HEADERS.contentType, WEBHOOK_CONTENT_TYPE);
  headers.set(WEBHOOK_HEADERS.key, app.key);
  headers.set(WEBHOOK_HEADERS.signature, await hmacSha256Hex(app.secret, body));
  try {
    const response = await fetch(endpoint.url, {
      method: "POST",
      headers,
      body,
      signal: AbortSignal.timeout(DELIVERY.timeoutMs),
    });
    await response.body?.cancel();
    return response.ok ? { ok: true } : { ok: false, reason: `HTTP ${response.status}` };
  } catch (error) {
    const timedOut = error instanceof Error && error.name === "TimeoutError";
    return { ok: false, reason: timedOut ? `no answer within ${DELIVERY.timeoutMs} ms` : "network error" };
  }
}

/** Only the host is logged: paths and query strings of webhook URLs often carry tokens. */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "invalid URL";
  }
}
