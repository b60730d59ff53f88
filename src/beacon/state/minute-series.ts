import {
  type MinuteBucket,
  minuteOf,
  SERIES_COUNTERS,
  type SeriesCounter,
  type SeriesCounts,
  type SeriesRead,
  zeroCounts,
} from "../../contract/series";
import { isRecord } from "../../lib/json";

/** A day for the dashboard's day graph and today's peak, and an hour more for the connections carried into it. */
export const SERIES_RETENTION_MINUTES = 25 * 60;

interface Bucket {
  minute: number;
  connectionsMax: number;
  connectionsLast: number;
  counts: SeriesCounts;
  /** Whether anything was counted or the open sockets changed: an untouched minute is never written. */
  touched: boolean;
}

const COLUMNS = ["minute", "connections_max", "connections_last", ...SERIES_COUNTERS];
const UPSERT =
  `INSERT INTO stats_minutes (${COLUMNS.join(", ")}) VALUES (${COLUMNS.map(() => "?").join(", ")}) ` +
  "ON CONFLICT (minute) DO UPDATE SET connections_max = max(connections_max, excluded.connections_max), " +
  `connections_last = excluded.connections_last, ${SERIES_COUNTERS.map((name) => `${name} = ${name} + excluded.${name}`).join(", ")}`;

/**
 * The app's figures per minute (docs/dashboard.md, "Graphs"). Counting is
 * a few additions in memory; a minute reaches SQLite as one row, written by
 * the first stats flush after it ends, so a busy object writes one row a
 * minute and an idle one writes nothing. The minute still under way rides
 * in the stats row the flush writes anyway (see Stats), so it survives an
 * eviction as the totals do, without a row of its own. The object prunes
 * rows past the retention when it writes one; a reader only reads.
 */
export class MinuteSeries {
  /** Minutes that ended and are not written yet, oldest first. */
  private ended: Bucket[] = [];

  /** Until the first count or restore, no minute: the first one rolls in with no sockets open. */
  private current: Bucket = untouched(0, 0);

  constructor(private readonly sql: SqlStorage) {}

  /** Takes back the minute the last flush saved (see `persist`); a minute that has since ended waits to be written. */
  restore(saved: unknown, now: number): void {
    const bucket = readBucket(saved);
    if (bucket === undefined) return;
    this.current = bucket;
    this.roll(now);
  }

  add(counter: SeriesCounter, amount: number, now = Date.now()): void {
    const bucket = this.roll(now);
    bucket.counts[counter] += amount;
    bucket.touched = true;
  }

  /** The sockets open now; true when that changes what the minute records. */
  connections(open: number, now: number): boolean {
    const bucket = this.roll(now);
    if (open === bucket.connectionsLast && open <= bucket.connectionsMax) return false;
    bucket.connectionsLast = open;
    bucket.connectionsMax = Math.max(bucket.connectionsMax, open);
    bucket.touched = true;
    return true;
  }

  /** Writes the minutes that ended (one row each) and prunes; returns the minute under way, for the stats row. */
  persist(now: number): unknown {
    this.roll(now);
    if (this.ended.length > 0) {
      for (const bucket of this.ended) this.sql.exec(UPSERT, ...rowOf(bucket));
      this.ended = [];
      this.sql.exec("DELETE FROM stats_minutes WHERE minute < ?", minuteOf(now) - SERIES_RETENTION_MINUTES);
    }
    return this.current.touched ? { ...this.current, counts: { ...this.current.counts } } : undefined;
  }

  /** Every minute from `from` on that recorded something, the one under way always last. Writes nothing. */
  read(from: number, now: number): SeriesRead {
    this.roll(now);
    const buckets: MinuteBucket[] = this.sql
      .exec<Record<string, number>>(
        `SELECT ${COLUMNS.join(", ")} FROM stats_minutes WHERE minute >= ? ORDER BY minute`,
        from,
      )
      .toArray()
      .map(bucketOfRow);
    for (const bucket of [...this.ended, this.current]) {
      const { minute, connectionsMax, connectionsLast, counts } = bucket;
      if (minute >= from) buckets.push({ minute, connectionsMax, connectionsLast, counts: { ...counts } });
    }
    const [before] = this.sql
      .exec<{ connections_last: number }>(
        "SELECT connections_last FROM stats_minutes WHERE minute < ? ORDER BY minute DESC LIMIT 1",
        from,
      )
      .toArray();
    const memory = [...this.ended].reverse().find((bucket) => bucket.minute < from);
    return { buckets, connectionsBefore: memory?.connectionsLast ?? before?.connections_last ?? 0 };
  }

  /** The bucket of `now`'s minute; the one before it, if touched, waits in `ended`. */
  private roll(now: number): Bucket {
    const minute = minuteOf(now);
    if (minute <= this.current.minute) return this.current;
    if (this.current.touched) this.ended.push(this.current);
    this.current = untouched(minute, this.current.connectionsLast);
    return this.current;
  }
}

function untouched(minute: number, open: number): Bucket {
  return { minute, connectionsMax: open, connectionsLast: open, counts: zeroCounts(), touched: false };
}

function rowOf(bucket: Bucket): number[] {
  return [
    bucket.minute,
    bucket.connectionsMax,
    bucket.connectionsLast,
    ...SERIES_COUNTERS.map((name) => bucket.counts[name]),
  ];
}

function bucketOfRow(row: Record<string, number>): MinuteBucket {
  const counts = zeroCounts();
  for (const name of SERIES_COUNTERS) counts[name] = row[name] ?? 0;
  return {
    minute: row.minute ?? 0,
    connectionsMax: row.connections_max ?? 0,
    connectionsLast: row.connections_last ?? 0,
    counts,
  };
}

/** The minute a flush saved, as any version saved it; anything else is dropped, as a lost count would be. */
function readBucket(value: unknown): Bucket | undefined {
  if (!isRecord(value)) return undefined;
  const { minute, connectionsMax, connectionsLast, counts } = value;
  if (typeof minute !== "number" || typeof connectionsMax !== "number" || typeof connectionsLast !== "number") {
    return undefined;
  }
  const read = zeroCounts();
  if (isRecord(counts)) {
    for (const name of SERIES_COUNTERS) {
      const count = counts[name];
      if (typeof count === "number" && Number.isFinite(count)) read[name] = count;
    }
  }
  return { minute, connectionsMax, connectionsLast, counts: read, touched: true };
}
