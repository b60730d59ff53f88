import { hmacSha256Hex } from "../../auth/crypto";
import type { App, WebhookEndpoint } from "../../config/app";
import type { WebhookAttempt } from "../../contract/console";
import { isRecord, tryParseJson } from "../../lib/json";
import { log } from "../../log";
import { WEBHOOK_CONTENT_TYPE, WEBHOOK_HEADERS } from "../../protocol/webhooks";
import type { Stats } from "../state/stats";
import type { WebhookDrops } from "../state/webhook-drops";
import type { OutboxRow, WebhookOutbox } from "../state/webhook-outbox";
import { DELIVERY, failureIsLogged, fitInOneRequest, retryDelayMs } from "./delivery-policy";
import { endpointLabel, hostOf } from "./endpoint-label";

/** Where delivery outcomes are counted, for the app's statistics. */
export type WebhookMeter = Pick<Stats, "countWebhook">;

/** Where each request's outcome is kept (the webhooks view's recent attempts, the consoles). */
export interface AttemptLog {
  record(attempt: WebhookAttempt): void;
}

/** What one alarm's delivery works with. */
export interface DeliveryRun {
  readonly app: App;
  readonly outbox: WebhookOutbox;
  readonly drops: WebhookDrops;
  /**
   * Runs once an attempt is recorded, before its request goes out, so the
   * alarm is set for its retry even if the object dies mid-request.
   */
  readonly attempted: () => void;
  readonly meter?: WebhookMeter | undefined;
  readonly attempts?: AttemptLog | undefined;
}

type Outcome = { ok: true } | { ok: false; reason: string };

/** One request to an endpoint, recorded before it goes out. */
interface Attempt {
  readonly url: string;
  readonly rows: readonly OutboxRow[];
  readonly startedAt: number;
  /** The endpoint's attempts since its last success, this one included. */
  readonly number: number;
}

/**
 * Drains every endpoint that is due, endpoints in parallel and one request
 * at a time per endpoint, so its events stay in order. Rows are removed
 * only after a 2xx.
 */
export async function deliverDue(run: DeliveryRun): Promise<void> {
  const startedAt = Date.now();
  const drains: Array<Promise<void>> = [];
  for (const url of run.outbox.dueEndpoints(startedAt)) {
    const endpoint = run.app.webhooks.find((candidate) => candidate.url === url);
    if (endpoint === undefined) {
      const dropped = run.outbox.forgetEndpoint(url);
      run.drops.end(url);
      log("warn", "webhook endpoint removed from configuration; its queued events are dropped", {
        app: run.app.id,
        endpoint: hostOf(url),
        dropped,
      });
      continue;
    }
    drains.push(drain(run, endpoint, startedAt));
  }
  await Promise.all(drains);
}

/**
 * Sends an endpoint's due rows, oldest first, for as long as it accepts them:
 * a recovered endpoint gets its whole backlog at once rather than a batch
 * per retry. A failure ends the drain; the alarm brings the retry.
 */
async function drain(run: DeliveryRun, endpoint: WebhookEndpoint, startedAt: number): Promise<void> {
  const { outbox } = run;
  dropOverBacklog(run, endpoint.url);
  for (;;) {
    const now = Date.now();
    const rows = fitInOneRequest(outbox.batch(endpoint.url, now, DELIVERY.maxEventsPerRequest));
    if (rows.length === 0) {
      reportDrained(run, endpoint.url);
      return;
    }
    if (now - startedAt >= DELIVERY.maxAlarmMs) return;
    const attempt: Attempt = {
      url: endpoint.url,
      rows,
      startedAt: now,
      number: outbox.beginAttempt(endpoint.url, (n) => now + retryDelayMs(n)),
    };
    run.attempted();
    const outcome = await send(run.app, endpoint, rows);
    run.attempts?.record(attemptRecord(run.app, attempt, outcome));
    if (!outcome.ok) {
      failed(run, attempt, outcome.reason);
      return;
    }
    outbox.delivered(endpoint.url, rows);
    run.meter?.countWebhook("delivered", rows.length);
    if (attempt.number > 1) {
      log("info", "webhook endpoint answers again; sending its backlog", {
        app: run.app.id,
        endpoint: hostOf(endpoint.url),
        attempt: attempt.number,
      });
    }
  }
}

/** The backlog bound: the oldest rows beyond it go, so storage and catching up stay bounded. */
function dropOverBacklog(run: DeliveryRun, url: string): void {
  const dropped = run.outbox.keepNewest(url, DELIVERY.maxBacklog);
  if (dropped === 0) return;
  run.meter?.countWebhook("failed", dropped);
  if (run.drops.add(url, dropped)) {
    log("error", "webhook backlog over its bound; the oldest events are dropped", {
      app: run.app.id,
      endpoint: hostOf(url),
      maxBacklog: DELIVERY.maxBacklog,
      dropped,
    });
  }
}

function failed(run: DeliveryRun, attempt: Attempt, reason: string): void {
  const now = Date.now();
  const fields = { app: run.app.id, endpoint: hostOf(attempt.url), attempt: attempt.number, reason };
  const cutoff = now - DELIVERY.maxAgeMs;
  if (attempt.number >= DELIVERY.minAttempts && (attempt.rows[0]?.createdAt ?? now) < cutoff) {
    const dropped = run.outbox.dropOlderThan(attempt.url, cutoff);
    run.meter?.countWebhook("failed", dropped);
    if (run.drops.add(attempt.url, dropped)) {
      log("error", "webhook delivery abandoned after retrying too long", { ...fields, dropped });
    }
    return;
  }
  run.meter?.countWebhook("retrying", attempt.rows.length);
  if (failureIsLogged(attempt.number)) {
    const retryInMs = Math.max(0, attempt.startedAt + retryDelayMs(attempt.number) - now);
    log("warn", "webhook delivery failed; will retry", { ...fields, retryInMs });
  }
}

/** The end of a run of drops is logged with its total, so an outage's loss is one number. */
function reportDrained(run: DeliveryRun, url: string): void {
  const dropped = run.drops.end(url);
  if (dropped === 0) return;
  log("warn", "webhook backlog delivered; events were dropped before it", {
    app: run.app.id,
    endpoint: hostOf(url),
    dropped,
  });
}

async function send(app: App, endpoint: WebhookEndpoint, rows: readonly OutboxRow[]): Promise<Outcome> {
  // When the webhook was created, which Pusher gives so that a receiver can tell a delayed one:
  // its oldest event's, so a retry says how late it is rather than looking new.
  const created = Math.min(...rows.map((row) => row.createdAt));
  // Stored events are already JSON, so the body is assembled rather than re-encoded.
  const body = `{"time_ms":${created},"events":[${rows.map((row) => row.event).join(",")}]}`;
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

/** What the webhooks view and the consoles are told of one request: never its body, URL path or signature. */
function attemptRecord(app: App, attempt: Attempt, outcome: Outcome): WebhookAttempt {
  const types = new Set<string>();
  for (const row of attempt.rows) types.add(eventName(row.event));
  return {
    at: attempt.startedAt,
    endpoint: endpointLabel(app, attempt.url),
    types: [...types],
    events: attempt.rows.length,
    attempt: attempt.number,
    ok: outcome.ok,
    error: outcome.ok ? "" : outcome.reason,
    source: "",
  };
}

/** A stored event's `name`, which every wire event has (events.ts). */
function eventName(wire: string): string {
  const event = tryParseJson(wire);
  return isRecord(event) && typeof event.name === "string" ? event.name : "unknown";
}
