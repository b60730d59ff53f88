import { describe, expect, it } from "vitest";
import { PublishSchedule } from "../../src/beacon/state/publish-schedule";
import { Stats } from "../../src/beacon/state/stats";
import { type PublishedStats, parsePublishedStats } from "../../src/contract/published-stats";
import { zeroTotals } from "../../src/contract/stats";
import { appFigures } from "../../src/metrics/app-figures";

const GAUGES = { connections: 2, connectionsByKey: [{ key: "key", connections: 2 }], channels: 1, presenceMembers: 0 };

function memoryStore() {
  const rows = new Map<string, string>();
  return { getMeta: (key: string) => rows.get(key), setMeta: (key: string, value: string) => rows.set(key, value) };
}

describe("PublishSchedule", () => {
  it("publishes the first change at once, owes the rest of the interval to one alarm, and never publishes twice in it", () => {
    const owed: number[] = [];
    const schedule = new PublishSchedule(10_000, (dueAt) => owed.push(dueAt));
    expect(schedule.changed(1000)).toBe(true);
    const published = [2000, 3000, 9000].map((now) => schedule.changed(now));
    expect(published).toEqual([false, false, false]);
    expect(owed).toEqual([11_000]);
    expect(schedule.nextDueAt()).toBe(11_000);
    expect(schedule.takeDue(10_999)).toBe(false);
    expect(schedule.takeDue(11_000)).toBe(true);
    expect(schedule.nextDueAt()).toBeUndefined();
    // The alarm's publish starts the next interval.
    expect(schedule.changed(12_000)).toBe(false);
    expect(owed).toEqual([11_000, 21_000]);
  });

  it("publishes on work once the interval has passed, settling what was owed", () => {
    const schedule = new PublishSchedule(10_000, () => undefined);
    schedule.changed(0);
    schedule.changed(5000);
    expect(schedule.changed(10_000)).toBe(true);
    expect(schedule.nextDueAt()).toBeUndefined();
    expect(schedule.takeDue(20_000)).toBe(false);
  });

  it("owes a failed publish again one interval later", () => {
    const owed: number[] = [];
    const schedule = new PublishSchedule(10_000, (dueAt) => owed.push(dueAt));
    schedule.changed(0);
    schedule.failed(50);
    expect(owed).toEqual([10_050]);
    expect(schedule.changed(60)).toBe(false);
    expect(owed).toEqual([10_050]);
  });
});

describe("Stats.published", () => {
  it("carries the totals and a bounded list of samples however often it flushes", () => {
    const stats = new Stats(memoryStore(), 0);
    for (let now = 1; now <= 120_000; now += 10) {
      stats.received(1);
      stats.flush(now);
    }
    const record = stats.published("app", GAUGES, 120_001);
    expect(record).toMatchObject({ appId: "app", since: 0, at: 120_001, gauges: GAUGES });
    expect(record.totals.messages_in).toBe(12_000);
    // A minute of samples at least 5 s apart, plus the one before it and the newest.
    expect(record.samples.length).toBeLessThanOrEqual(15);
    expect(record.samples.at(-1)?.totals.messages_in).toBe(12_000);
  });
});

function record(appId: string, at: number, connections: number, messages: number, samples = true): PublishedStats {
  const totals = { ...zeroTotals(), messages_in: messages };
  const start = { at: at - 60_000, totals: zeroTotals() };
  return {
    appId,
    since: at - 100_000,
    at,
    gauges: { connections, connectionsByKey: [{ key: "key", connections }], channels: connections, presenceMembers: 0 },
    totals,
    samples: samples ? [start, { at, totals }] : [],
  };
}

describe("appFigures", () => {
  it("sums an app's objects, zero-fills an app that published nothing, and leaves out unknown apps", () => {
    const records = [record("a", 1000, 2, 60), record("a", 1000, 3, 120), record("gone", 1000, 9, 9)];
    const { snapshots, unreadable } = appFigures(
      ["a", "b"],
      records.map((each) => JSON.stringify(each)),
      1000,
    );
    expect(unreadable).toBe(0);
    expect(snapshots.map((snapshot) => snapshot.appId)).toEqual(["a", "b"]);
    expect(snapshots[0]).toMatchObject({ since: 1000 - 100_000, gauges: { connections: 5, channels: 5 } });
    expect(snapshots[0]?.gauges.connectionsByKey).toEqual([{ key: "key", connections: 5 }]);
    expect(snapshots[0]?.totals.messages_in).toBe(180);
    // 180 messages over the minute the samples span.
    expect(snapshots[0]?.rates.messages_in).toBe(3);
    expect(snapshots[1]).toMatchObject({ since: 1000, gauges: { connections: 0, channels: 0, presenceMembers: 0 } });
    expect(snapshots[1]?.totals).toEqual(zeroTotals());
  });

  it("takes rates at scrape time, so an object that went quiet a minute ago shows none", () => {
    const quiet = JSON.stringify(record("a", 1000, 1, 60));
    expect(appFigures(["a"], [quiet], 1000).snapshots[0]?.rates.messages_in).toBe(1);
    expect(appFigures(["a"], [quiet], 1000 + 60_000).snapshots[0]?.rates.messages_in).toBe(0);
    expect(appFigures(["a"], [quiet], 1000 + 60_000).snapshots[0]?.totals.messages_in).toBe(60);
  });

  it("counts and skips records it cannot read", () => {
    const { snapshots, unreadable } = appFigures(["a"], ["not json", "{}", JSON.stringify(record("a", 5, 1, 1))], 5);
    expect(unreadable).toBe(2);
    expect(snapshots[0]?.gauges.connections).toBe(1);
  });
});

describe("parsePublishedStats", () => {
  it("reads a record of another version as far as it goes", () => {
    const older = { appId: "a", since: 1, at: 2, gauges: { connections: 3 }, totals: { messages_in: 4, retired: 5 } };
    const parsed = parsePublishedStats(JSON.stringify(older));
    expect(parsed).toEqual({
      appId: "a",
      since: 1,
      at: 2,
      gauges: { connections: 3, connectionsByKey: [], channels: 0, presenceMembers: 0 },
      totals: { ...zeroTotals(), messages_in: 4 },
      samples: [],
    });
    expect(parsePublishedStats(JSON.stringify({ ...older, at: "2" }))).toBeUndefined();
  });
});
