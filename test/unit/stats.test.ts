import { describe, expect, it } from "vitest";
import { RateLimits } from "../../src/beacon/state/rate-limits";
import { Stats } from "../../src/beacon/state/stats";
import { DEFAULT_LIMITS } from "../../src/config/app";

/** The meta table, in memory, counting writes. */
function memoryStore() {
  const rows = new Map<string, string>();
  let writes = 0;
  return {
    getMeta: (key: string) => rows.get(key),
    setMeta: (key: string, value: string) => {
      writes++;
      rows.set(key, value);
    },
    writes: () => writes,
  };
}

const GAUGES = { connections: 0, connectionsByKey: [], channels: 0, presenceMembers: 0 };

describe("Stats", () => {
  it("writes at most one row per interval however many messages are counted", () => {
    const store = memoryStore();
    const stats = new Stats(store, 0);
    for (let i = 0; i < 1000; i++) {
      stats.received(10);
      stats.flushIfDue(i);
    }
    expect(store.writes()).toBe(0);
    stats.flushIfDue(10_000);
    expect(store.writes()).toBe(1);
    stats.flushIfDue(10_001);
    expect(store.writes()).toBe(1);
  });

  it("keeps totals and their start across a new instance (an evicted object)", () => {
    const store = memoryStore();
    const first = new Stats(store, 1000);
    first.received(5);
    first.fannedOut("abc", 4);
    first.countWebhook("delivered", 2);
    first.flush(2000);
    first.received(7); // never flushed: lost with the instance
    const second = new Stats(store, 50_000);
    const snapshot = second.snapshot("app", GAUGES, 60_000);
    expect(snapshot.since).toBe(1000);
    expect(snapshot.totals).toMatchObject({
      messages_in: 1,
      bytes_in: 5,
      messages_out: 4,
      bytes_out: 12,
      webhooks_delivered: 2,
    });
  });

  it("does not write when an idle app's stats are read", () => {
    const store = memoryStore();
    const stats = new Stats(store, 0);
    stats.snapshot("app", GAUGES, 1000);
    expect(store.writes()).toBe(0);
  });

  it("gives rates over about the last minute", () => {
    const stats = new Stats(memoryStore(), 0);
    for (let i = 0; i < 120; i++) stats.received(1);
    stats.flush(60_000);
    for (let i = 0; i < 30; i++) stats.received(1);
    const snapshot = stats.snapshot("app", GAUGES, 120_000);
    // 30 messages in the minute since the sample at 60 s.
    expect(snapshot.rates.messages_in).toBe(0.5);
    expect(snapshot.totals.messages_in).toBe(150);
  });
});

describe("RateLimits", () => {
  const limits = { ...DEFAULT_LIMITS, maxBackendEventsPerSecond: 3, maxReadRequestsPerSecond: 1 };

  it("allows the limit within one second and refuses the rest, per kind", () => {
    const rates = new RateLimits();
    const verdicts = [1, 1, 1, 1].map(() => rates.take("backendEvents", 1, limits, 500).ok);
    expect(verdicts).toEqual([true, true, true, false]);
    expect(rates.take("readRequests", 1, limits, 500).ok).toBe(true);
    expect(rates.take("readRequests", 1, limits, 600).ok).toBe(false);
    expect(rates.take("backendEvents", 1, limits, 1500).ok).toBe(true);
  });

  it("counts points, logs only the first refusal of a window, and never limits null", () => {
    const rates = new RateLimits();
    expect(rates.take("backendEvents", 2, limits, 0).ok).toBe(true);
    const first = rates.take("backendEvents", 2, limits, 0);
    const second = rates.take("backendEvents", 2, limits, 0);
    expect(first).toEqual({
      ok: false,
      limit: 3,
      firstInWindow: true,
      message: "Rate limit reached: this app allows 3 backend events per second. Slow down and retry.",
    });
    expect(second).toMatchObject({ ok: false, firstInWindow: false });
    expect(rates.take("backendEvents", 1, limits, 0).ok).toBe(true);
    const unlimited = new RateLimits();
    for (let i = 0; i < 1000; i++) expect(unlimited.take("readRequests", 1, DEFAULT_LIMITS, 0).ok).toBe(true);
  });
});
