/**
 * An app's figures minute by minute, as a Beacon keeps them (state/minute-series.ts)
 * and the dashboard draws them. Unix minutes (milliseconds / 60,000) name
 * the buckets.
 */

/** What each minute counts: events in that minute, summed across shards. */
export const SERIES_COUNTERS = [
  "messages_in",
  "messages_out",
  "api_calls",
  "webhooks_delivered",
  "webhooks_retrying",
  "webhooks_failed",
  "rate_limited",
] as const;

export type SeriesCounter = (typeof SERIES_COUNTERS)[number];
export type SeriesCounts = Record<SeriesCounter, number>;

/** One minute an object did something in; a minute it did nothing in has no bucket. */
export interface MinuteBucket {
  readonly minute: number;
  /** The most sockets open at once during the minute. */
  readonly connectionsMax: number;
  /** The sockets open when the minute's last change happened; it holds through the minutes with no bucket. */
  readonly connectionsLast: number;
  readonly counts: SeriesCounts;
}

/** What one object answers for a window: its buckets from `from` on, oldest first, and the open sockets before them. */
export interface SeriesRead {
  readonly buckets: readonly MinuteBucket[];
  /** `connectionsLast` of the newest bucket before the window; 0 when none is kept. */
  readonly connectionsBefore: number;
}

/** A window with every minute filled: counters 0 where nothing happened, connections carried from the minute before. */
export interface DenseSeries {
  /** The first minute. */
  readonly from: number;
  /** Minutes per point: 1, or more once points are merged (downsample). */
  readonly step: number;
  readonly connections: number[];
  readonly counts: Record<SeriesCounter, number[]>;
}

export const MINUTE_MS = 60_000;

export function minuteOf(ms: number): number {
  return Math.floor(ms / MINUTE_MS);
}

export function zeroCounts(): SeriesCounts {
  return Object.fromEntries(SERIES_COUNTERS.map((name) => [name, 0])) as SeriesCounts;
}

/** One object's buckets as a point per minute from `from` to `to`, both included. */
export function denseSeries(read: SeriesRead, from: number, to: number): DenseSeries {
  const length = Math.max(0, to - from + 1);
  const series = emptySeries(from, length);
  let open = read.connectionsBefore;
  let next = 0;
  for (let index = 0; index < length; index++) {
    const minute = from + index;
    let bucket = read.buckets[next];
    while (bucket !== undefined && bucket.minute < minute) {
      open = bucket.connectionsLast;
      bucket = read.buckets[++next];
    }
    if (bucket?.minute !== minute) {
      series.connections[index] = open;
      continue;
    }
    series.connections[index] = bucket.connectionsMax;
    for (const name of SERIES_COUNTERS) series.counts[name][index] = bucket.counts[name];
    open = bucket.connectionsLast;
    next++;
  }
  return series;
}

/**
 * Several objects' series of one window as the app's: each minute summed.
 * For connections that is the sum of each object's most in the minute, which
 * is at least the app's true most (the objects' highs may have come at
 * different moments of the minute) and at most their total.
 */
export function sumSeries(parts: readonly DenseSeries[], from: number, length: number): DenseSeries {
  const sum = emptySeries(from, length);
  for (const part of parts) {
    for (let index = 0; index < length; index++) {
      sum.connections[index] = (sum.connections[index] ?? 0) + (part.connections[index] ?? 0);
      for (const name of SERIES_COUNTERS) {
        sum.counts[name][index] = (sum.counts[name][index] ?? 0) + (part.counts[name][index] ?? 0);
      }
    }
  }
  return sum;
}

/** Points of `step` minutes: counters added up, connections the most of the points merged. */
export function downsample(series: DenseSeries, step: number): DenseSeries {
  const length = Math.ceil(series.connections.length / step);
  const merged = emptySeries(series.from, length, series.step * step);
  series.connections.forEach((value, index) => {
    const at = Math.floor(index / step);
    merged.connections[at] = Math.max(merged.connections[at] ?? 0, value);
    for (const name of SERIES_COUNTERS) {
      merged.counts[name][at] = (merged.counts[name][at] ?? 0) + (series.counts[name][index] ?? 0);
    }
  });
  return merged;
}

function emptySeries(from: number, length: number, step = 1): DenseSeries {
  const counts = Object.fromEntries(SERIES_COUNTERS.map((name) => [name, new Array<number>(length).fill(0)]));
  return {
    from,
    step,
    connections: new Array<number>(length).fill(0),
    counts: counts as Record<SeriesCounter, number[]>,
  };
}
