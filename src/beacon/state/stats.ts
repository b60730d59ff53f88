import { COUNTERS, type Counter, type Gauges, type StatsSnapshot, type Totals } from "../../contract/stats";
import { isRecord, tryParseJson } from "../../lib/json";
import { utf8Length } from "../../lib/text";
import type { FanoutMeter } from "./channel-index";
import type { Store } from "./store";

export type WebhookOutcome = "delivered" | "retrying" | "failed";

const WEBHOOK_COUNTERS: Record<WebhookOutcome, Counter> = {
  delivered: "webhooks_delivered",
  retrying: "webhooks_retrying",
  failed: "webhooks_failed",
};

const META_KEY = "stats";
/** Totals reach SQLite at most this often: one row written per flush, never one per message. */
const FLUSH_INTERVAL_MS = 10_000;
const RATE_WINDOW_MS = 60_000;

/** Every counter at 0; the names come from COUNTERS, so a new counter needs no second list. */
function zero(): Totals {
  return Object.fromEntries(COUNTERS.map((name) => [name, 0])) as Totals;
}

interface Sample {
  readonly at: number;
  readonly totals: Totals;
}

/**
 * Counts in memory on the hot path (a few additions) and writes the totals
 * as one row on work the Beacon already does. Counts made after the last
 * flush are lost if the object is evicted before the next one, so totals are
 * a slight undercount; the live gauges are exact.
 */
export class Stats implements FanoutMeter {
  private readonly durable: Totals;
  private readonly pending: Totals = zero();
  private readonly since: number;
  private flushedAt: number;
  private dirty = false;
  /** Totals at earlier moments, for rates; kept short. */
  private samples: Sample[];

  constructor(
    private readonly store: Pick<Store, "getMeta" | "setMeta">,
    now: number,
  ) {
    const saved = readSaved(store.getMeta(META_KEY));
    this.durable = saved?.totals ?? zero();
    this.since = saved?.since ?? now;
    this.flushedAt = saved?.flushedAt ?? now;
    this.samples = [{ at: this.flushedAt, totals: { ...this.durable } }];
  }

  count(counter: Counter, amount = 1): void {
    this.pending[counter] += amount;
    this.dirty = true;
  }

  /** One frame from a socket or one event from the REST API. */
  received(bytes: number): void {
    this.pending.messages_in++;
    this.pending.bytes_in += bytes;
    this.dirty = true;
  }

  fannedOut(frame: string, recipients: number): void {
    this.pending.messages_out += recipients;
    this.pending.bytes_out += utf8Length(frame) * recipients;
    this.dirty = true;
  }

  /** For webhook delivery: the events of one attempt, by its outcome. */
  countWebhook(outcome: WebhookOutcome, events = 1): void {
    this.count(WEBHOOK_COUNTERS[outcome], events);
  }

  /** Called on work already under way; writes only when the interval has passed. */
  flushIfDue(now: number): void {
    if (this.dirty && now - this.flushedAt >= FLUSH_INTERVAL_MS) this.flush(now);
  }

  /** Writes the totals, if anything was counted since the last write. */
  flush(now: number): void {
    if (!this.dirty) return;
    for (const name of COUNTERS) {
      this.durable[name] += this.pending[name];
      this.pending[name] = 0;
    }
    this.dirty = false;
    this.flushedAt = now;
    this.store.setMeta(META_KEY, JSON.stringify({ since: this.since, flushedAt: now, totals: this.durable }));
    this.samples.push({ at: now, totals: { ...this.durable } });
    // Keep the newest sample older than the window, and everything after it.
    const old = this.samples.findLastIndex((sample) => sample.at <= now - RATE_WINDOW_MS);
    if (old > 0) this.samples = this.samples.slice(old);
  }

  snapshot(appId: string, gauges: Gauges, now: number): StatsSnapshot {
    // A read of an idle app writes nothing.
    this.flush(now);
    const totals = { ...this.durable };
    const base = this.samples.findLast((sample) => sample.at <= now - RATE_WINDOW_MS) ?? this.samples[0];
    const seconds = Math.max(1, (now - (base?.at ?? now)) / 1000);
    const rates = zero();
    for (const name of COUNTERS) rates[name] = round((totals[name] - (base?.totals[name] ?? 0)) / seconds);
    return { appId, since: this.since, now, gauges, totals, rates };
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function readSaved(json: string | undefined): { since: number; flushedAt: number; totals: Totals } | undefined {
  const value = json === undefined ? undefined : tryParseJson(json);
  if (!isRecord(value) || typeof value.since !== "number" || typeof value.flushedAt !== "number") return undefined;
  const saved = isRecord(value.totals) ? value.totals : {};
  const totals = zero();
  for (const name of COUNTERS) {
    const count = saved[name];
    if (typeof count === "number" && Number.isFinite(count)) totals[name] = count;
  }
  return { since: value.since, flushedAt: value.flushedAt, totals };
}
