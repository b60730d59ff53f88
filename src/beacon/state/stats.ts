import type { PublishedStats } from "../../contract/published-stats";
import { SERIES_COUNTERS, type SeriesCounter, type SeriesRead } from "../../contract/series";
import {
  COUNTERS,
  type Counter,
  type Gauges,
  RATE_WINDOW_MS,
  ratesAt,
  readTotals,
  type StatsSample,
  type StatsSnapshot,
  type Totals,
  zeroTotals,
} from "../../contract/stats";
import { isRecord, tryParseJson } from "../../lib/json";
import { utf8Length } from "../../lib/text";
import type { FanoutMeter } from "./channel-index";
import { MinuteSeries } from "./minute-series";
import type { Store } from "./store";

export type WebhookOutcome = "delivered" | "retrying" | "failed";

const WEBHOOK_COUNTERS: Record<WebhookOutcome, Counter> = {
  delivered: "webhooks_delivered",
  retrying: "webhooks_retrying",
  failed: "webhooks_failed",
};

const SERIES_NAMES: ReadonlySet<string> = new Set(SERIES_COUNTERS);

/** The totals that the per-minute series counts too: those it names the same. */
function inSeries(counter: Counter): counter is Counter & SeriesCounter {
  return SERIES_NAMES.has(counter);
}

const META_KEY = "stats";
/** Totals reach SQLite at most this often: one row written per flush, never one per message. */
export const FLUSH_INTERVAL_MS = 10_000;
/**
 * Samples closer together than this are merged (the newest kept), so reads
 * that flush many times a second cannot grow the list: it stays near a
 * dozen, which also keeps a published record small.
 */
const SAMPLE_SPACING_MS = 5_000;

/**
 * Counts in memory on the hot path (a few additions) and writes the totals
 * as one row on work the Beacon already does. Counts made after the last
 * flush are lost if the object is evicted before the next one, so totals are
 * a slight undercount; the live gauges are exact.
 */
export class Stats implements FanoutMeter {
  private readonly durable: Totals;
  private readonly pending: Totals = zeroTotals();
  private readonly since: number;
  private flushedAt: number;
  private dirty = false;
  private counted = 0;
  /** Totals at earlier moments, for rates; kept short. */
  private samples: StatsSample[];
  private readonly series: MinuteSeries | undefined;

  constructor(
    private readonly store: Pick<Store, "getMeta" | "setMeta">,
    now: number,
    /** Where the figures per minute are kept, for the dashboard's graphs; without it only totals are kept. */
    sql?: SqlStorage,
  ) {
    this.series = sql === undefined ? undefined : new MinuteSeries(sql);
    const saved = readSaved(store.getMeta(META_KEY));
    this.durable = saved?.totals ?? zeroTotals();
    this.since = saved?.since ?? now;
    this.flushedAt = saved?.flushedAt ?? now;
    this.samples = [{ at: this.flushedAt, totals: { ...this.durable } }];
    this.series?.restore(saved?.minute, now);
  }

  count(counter: Counter, amount = 1): void {
    this.pending[counter] += amount;
    if (inSeries(counter)) this.series?.add(counter, amount);
    this.changedTotals();
  }

  /** One frame from a socket or one event from the REST API. */
  received(bytes: number): void {
    this.pending.messages_in++;
    this.pending.bytes_in += bytes;
    this.series?.add("messages_in", 1);
    this.changedTotals();
  }

  fannedOut(frame: string, recipients: number): void {
    this.pending.messages_out += recipients;
    this.pending.bytes_out += utf8Length(frame) * recipients;
    this.series?.add("messages_out", recipients);
    this.changedTotals();
  }

  /** REST calls the app made; the series counts these, the totals do not. */
  apiCall(calls = 1): void {
    this.series?.add("api_calls", calls);
    this.dirty = true;
  }

  /** The app's open sockets, after one opened or went: the series keeps each minute's most and last. */
  connectionsNow(open: number): void {
    if (this.series?.connections(open, Date.now())) this.dirty = true;
  }

  /** The series from minute `from` on, with the minute under way. */
  readSeries(from: number, now: number): SeriesRead {
    return this.series?.read(from, now) ?? { buckets: [], connectionsBefore: 0 };
  }

  /** Grows with every count, so a reader can tell whether anything was counted since it last looked. */
  get revision(): number {
    return this.counted;
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
    // The minute under way rides in this row, which is written anyway: the series adds no row until it ends.
    const minute = this.series?.persist(now);
    this.store.setMeta(META_KEY, JSON.stringify({ since: this.since, flushedAt: now, totals: this.durable, minute }));
    this.sample(now);
  }

  snapshot(appId: string, gauges: Gauges, now: number): StatsSnapshot {
    // A read of an idle app writes nothing.
    this.flush(now);
    const totals = { ...this.durable };
    return { appId, since: this.since, now, gauges, totals, rates: ratesAt(this.samples, totals, now) };
  }

  /** What goes to the stats registry: the totals so far, and the samples the scrape takes rates from. */
  published(appId: string, gauges: Gauges, now: number): PublishedStats {
    this.flush(now);
    return { appId, since: this.since, at: now, gauges, totals: { ...this.durable }, samples: [...this.samples] };
  }

  private changedTotals(): void {
    this.dirty = true;
    this.counted++;
  }

  private sample(now: number): void {
    const sample = { at: now, totals: { ...this.durable } };
    const [before, last] = this.samples.slice(-2);
    if (before !== undefined && last !== undefined && last.at - before.at < SAMPLE_SPACING_MS) {
      this.samples[this.samples.length - 1] = sample;
    } else {
      this.samples.push(sample);
    }
    // Keep the newest sample older than the window, and everything after it.
    const old = this.samples.findLastIndex((kept) => kept.at <= now - RATE_WINDOW_MS);
    if (old > 0) this.samples = this.samples.slice(old);
  }
}

function readSaved(
  json: string | undefined,
): { since: number; flushedAt: number; totals: Totals; minute: unknown } | undefined {
  const value = json === undefined ? undefined : tryParseJson(json);
  if (!isRecord(value) || typeof value.since !== "number" || typeof value.flushedAt !== "number") return undefined;
  return { since: value.since, flushedAt: value.flushedAt, totals: readTotals(value.totals), minute: value.minute };
}
