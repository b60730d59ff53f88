import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SERIES_RETENTION_MINUTES } from "../../src/beacon/state/minute-series";
import { Stats } from "../../src/beacon/state/stats";
import { Store } from "../../src/beacon/state/store";
import {
  type DenseSeries,
  denseSeries,
  downsample,
  MINUTE_MS,
  type MinuteBucket,
  type SeriesCounts,
  sumSeries,
  zeroCounts,
} from "../../src/contract/series";
import { sqliteStorage } from "./support/sqlite-storage";

/** A minute well after the epoch, so retention has room to prune before it. */
const START = 29_000_000;
const at = (minute: number, second = 0) => (START + minute) * MINUTE_MS + second * 1000;

/** Every row the SQLite has changed so far: what Cloudflare bills as rows written. */
function rowsChanged(sql: SqlStorage): number {
  const [row] = sql.exec<{ changes: number }>("SELECT total_changes() AS changes").toArray();
  return row?.changes ?? 0;
}

function seriesRows(sql: SqlStorage): number[] {
  return sql
    .exec<{ minute: number }>("SELECT minute FROM stats_minutes ORDER BY minute")
    .toArray()
    .map((row) => row.minute - START);
}

function beaconStats(sql: SqlStorage, now: number): Stats {
  return new Stats(new Store(sql), now, sql);
}

function counts(partial: Partial<SeriesCounts>): SeriesCounts {
  return { ...zeroCounts(), ...partial };
}

describe("the per-minute series of a Beacon's figures", () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ["Date"] }));
  afterEach(() => vi.useRealTimers());

  it("counts a minute in memory and writes it as one row once it has ended, never a row per message", () => {
    const sql = sqliteStorage();
    vi.setSystemTime(at(0));
    const stats = beaconStats(sql, at(0));
    const before = rowsChanged(sql);
    for (let second = 0; second < 60; second++) {
      vi.setSystemTime(at(0, second));
      for (let frame = 0; frame < 50; frame++) stats.received(10);
      stats.fannedOut("frame", 20);
      stats.flushIfDue(at(0, second));
    }
    // Within the minute only the stats row is rewritten, once per flush interval; the series adds nothing.
    expect(seriesRows(sql)).toEqual([]);
    expect(rowsChanged(sql) - before).toBe(5);

    vi.setSystemTime(at(1, 1));
    stats.received(10);
    stats.flushIfDue(at(1, 1));
    expect(seriesRows(sql)).toEqual([0]);
    const read = stats.readSeries(START, at(1, 2));
    expect(read.buckets.map((bucket) => [bucket.minute - START, bucket.counts.messages_in])).toEqual([
      [0, 3000],
      [1, 1],
    ]);
    expect(read.buckets[0]?.counts.messages_out).toBe(1200);
  });

  it("writes nothing for an object that did nothing, however often it is read or flushed", () => {
    const sql = sqliteStorage();
    vi.setSystemTime(at(0));
    const stats = beaconStats(sql, at(0));
    const before = rowsChanged(sql);
    for (let minute = 0; minute < 5; minute++) {
      vi.setSystemTime(at(minute));
      stats.flush(at(minute));
      stats.readSeries(START, at(minute));
    }
    expect(rowsChanged(sql)).toBe(before);
  });

  it("keeps the minute under way across a new instance (an evicted object) through the stats row", () => {
    const sql = sqliteStorage();
    vi.setSystemTime(at(0, 5));
    const first = beaconStats(sql, at(0, 5));
    first.connectionsNow(4);
    first.apiCall();
    first.count("webhooks_retrying", 2);
    first.flush(at(0, 6));

    vi.setSystemTime(at(0, 30));
    const second = beaconStats(sql, at(0, 30));
    second.apiCall();
    second.connectionsNow(3);
    const [bucket] = second.readSeries(START, at(0, 31)).buckets;
    expect(bucket).toEqual({
      minute: START,
      connectionsMax: 4,
      connectionsLast: 3,
      counts: counts({ api_calls: 2, webhooks_retrying: 2 }),
    });

    // Restored after its minute ended, it is written by the next flush, exactly once.
    second.flush(at(0, 32));
    vi.setSystemTime(at(3));
    const third = beaconStats(sql, at(3));
    third.apiCall();
    third.flush(at(3));
    expect(seriesRows(sql)).toEqual([0]);
    const [row] = sql.exec<{ api_calls: number }>("SELECT api_calls FROM stats_minutes").toArray();
    expect(row?.api_calls).toBe(2);
  });

  it("prunes rows past the retention when it writes one, and only then", () => {
    const sql = sqliteStorage();
    vi.setSystemTime(at(0));
    const stats = beaconStats(sql, at(0));
    stats.apiCall();
    vi.setSystemTime(at(1));
    stats.apiCall();
    stats.flush(at(1));
    expect(seriesRows(sql)).toEqual([0]);

    const later = SERIES_RETENTION_MINUTES + 1;
    vi.setSystemTime(at(later));
    // A read long after writes nothing and prunes nothing.
    const read = stats.readSeries(START, at(later)).buckets.map((bucket) => bucket.minute - START);
    expect(read).toEqual([0, 1, later]);
    expect(seriesRows(sql)).toEqual([0]);
    stats.apiCall();
    stats.flush(at(later));
    // Minute 1 ended and was written; minute 0 fell past the retention and went with the same flush.
    expect(seriesRows(sql)).toEqual([1]);
  });

  it("records the most sockets open in a minute and carries the last count into quiet minutes", () => {
    const sql = sqliteStorage();
    vi.setSystemTime(at(0));
    const stats = beaconStats(sql, at(0));
    for (const open of [1, 2, 3, 2]) stats.connectionsNow(open);
    vi.setSystemTime(at(4));
    stats.connectionsNow(1);
    const dense = denseSeries(stats.readSeries(START, at(4)), START, START + 5);
    expect(dense.connections).toEqual([3, 2, 2, 2, 2, 1]);
  });
});

function bucket(minute: number, max: number, last: number, partial: Partial<SeriesCounts> = {}): MinuteBucket {
  return { minute, connectionsMax: max, connectionsLast: last, counts: counts(partial) };
}

describe("series arithmetic", () => {
  it("fills quiet minutes with no counts and the connections carried from before", () => {
    const dense = denseSeries(
      { buckets: [bucket(11, 5, 4, { messages_in: 3 }), bucket(13, 2, 2)], connectionsBefore: 7 },
      10,
      14,
    );
    expect(dense.connections).toEqual([7, 5, 4, 2, 2]);
    expect(dense.counts.messages_in).toEqual([0, 3, 0, 0, 0]);
  });

  it("adds shards minute by minute and merges points without losing a count or a high", () => {
    const one: DenseSeries = denseSeries({ buckets: [bucket(0, 3, 1, { api_calls: 2 })], connectionsBefore: 0 }, 0, 3);
    const two: DenseSeries = denseSeries({ buckets: [bucket(1, 4, 4, { api_calls: 5 })], connectionsBefore: 2 }, 0, 3);
    const app = sumSeries([one, two], 0, 4);
    expect(app.connections).toEqual([5, 5, 5, 5]);
    expect(app.counts.api_calls).toEqual([2, 5, 0, 0]);
    const merged = downsample(app, 3);
    expect(merged).toMatchObject({ from: 0, step: 3, connections: [5, 5] });
    expect(merged.counts.api_calls).toEqual([7, 0]);
  });
});

describe("the dashboard's copy of uPlot", () => {
  it("is the release package.json installs, with its licence", () => {
    for (const [copy, original] of [
      ["dashboard/vendor/uPlot.iife.min.js", "node_modules/uplot/dist/uPlot.iife.min.js"],
      ["dashboard/vendor/uPlot.min.css", "node_modules/uplot/dist/uPlot.min.css"],
      ["dashboard/vendor/uPlot.LICENSE", "node_modules/uplot/LICENSE"],
    ]) {
      expect(readFileSync(copy ?? "", "utf8"), `${copy} differs from ${original}: copy it again`).toBe(
        readFileSync(original ?? "", "utf8"),
      );
    }
  });
});
