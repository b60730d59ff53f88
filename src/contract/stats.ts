import { isRecord } from "../lib/json";

/**
 * An app's statistics as the Beacon reports them (`readStats`) and the
 * Worker's stats and metrics endpoints print them.
 */

/** Running totals, kept since the app's Beacon first started. */
export const COUNTERS = [
  "connections",
  "messages_in",
  "bytes_in",
  "messages_out",
  "bytes_out",
  "rate_limited",
  "webhooks_delivered",
  "webhooks_retrying",
  "webhooks_failed",
  "history_stored",
  "history_pruned",
] as const;

export type Counter = (typeof COUNTERS)[number];
export type Totals = Record<Counter, number>;

/** What is true right now, read from the live indexes rather than counted. */
export interface Gauges {
  readonly connections: number;
  /**
   * Open sockets by the app key they connected with, every configured key
   * listed (the primary first), so an operator rotating keys sees the old
   * key's sockets drain.
   */
  readonly connectionsByKey: ReadonlyArray<{ readonly key: string; readonly connections: number }>;
  readonly channels: number;
  readonly presenceMembers: number;
}

export interface StatsSnapshot {
  readonly appId: string;
  /** Unix milliseconds: when these totals started. */
  readonly since: number;
  readonly now: number;
  readonly gauges: Gauges;
  readonly totals: Totals;
  /** Per second, averaged over about the last minute. */
  readonly rates: Totals;
}

/** Totals at one moment, kept so rates can be taken over about the last minute. */
export interface StatsSample {
  readonly at: number;
  readonly totals: Totals;
}

/** Rates take a minute's change: the newest sample at least this old is the base. */
export const RATE_WINDOW_MS = 60_000;

/** Per second, from the newest sample at least a minute before `now` (or the oldest there is) to `totals`. */
export function ratesAt(samples: readonly StatsSample[], totals: Totals, now: number): Totals {
  const base = samples.findLast((sample) => sample.at <= now - RATE_WINDOW_MS) ?? samples[0];
  const seconds = Math.max(1, (now - (base?.at ?? now)) / 1000);
  const rates = zeroTotals();
  for (const name of COUNTERS) rates[name] = round((totals[name] - (base?.totals[name] ?? 0)) / seconds);
  return rates;
}

/** Every counter at 0; the names come from COUNTERS, so a new counter needs no second list. */
export function zeroTotals(): Totals {
  return Object.fromEntries(COUNTERS.map((name) => [name, 0])) as Totals;
}

/** Totals as stored by any version: a counter it did not know yet reads 0, anything that is not a count is dropped. */
export function readTotals(value: unknown): Totals {
  const totals = zeroTotals();
  if (!isRecord(value)) return totals;
  for (const name of COUNTERS) {
    const count = value[name];
    if (typeof count === "number" && Number.isFinite(count)) totals[name] = count;
  }
  return totals;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
