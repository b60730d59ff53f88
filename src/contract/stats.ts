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
