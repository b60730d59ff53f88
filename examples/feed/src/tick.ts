import { performance } from "node:perf_hooks";

/** One update of the feed, as viewers receive it. */
export interface Tick {
  /** 1, 2, 3, ... per run of the publisher, so viewers can spot a gap or a reordering. */
  seq: number;
  symbol: string;
  price: number;
  /** When the publisher sent it, in ms since the epoch with sub-ms precision (see `nowMs`). */
  sentAt: number;
}

export const TICK_EVENT = "tick";

/** The ticker's channel. `cache-` makes Sower keep the last tick for each new viewer. */
export function tickerChannel(symbol: string): string {
  return `cache-ticker-${symbol}`;
}

/** Wall-clock ms with sub-ms precision, comparable across threads of one machine. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export function parseTick(value: unknown): Tick | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { seq, symbol, price, sentAt } = Object.fromEntries(Object.entries(value));
  if (typeof seq !== "number" || typeof symbol !== "string" || typeof price !== "number") return undefined;
  if (typeof sentAt !== "number") return undefined;
  return { seq, symbol, price, sentAt };
}
