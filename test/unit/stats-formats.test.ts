import { describe, expect, it } from "vitest";
import type { StatsSnapshot } from "../../src/contract/stats";
import { statsJson, statsPrometheus } from "../../src/rest/stats-formats";

const totals = {
  connections: 3,
  messages_in: 10,
  bytes_in: 400,
  messages_out: 20,
  bytes_out: 900,
  rate_limited: 1,
  webhooks_delivered: 4,
  webhooks_retrying: 2,
  webhooks_failed: 1,
  history_stored: 0,
  history_pruned: 0,
};

const snapshot: StatsSnapshot = {
  appId: "shop",
  since: Date.UTC(2026, 0, 1),
  now: Date.UTC(2026, 0, 1, 0, 1),
  gauges: {
    connections: 2,
    connectionsByKey: [
      { key: "shop-key", connections: 1 },
      { key: "shop-key-2", connections: 1 },
    ],
    channels: 3,
    presenceMembers: 1,
  },
  totals,
  rates: { ...totals, messages_in: 0.5 },
};

describe("stats formats", () => {
  it("gives JSON with live counts, totals and rates", () => {
    expect(statsJson(snapshot)).toEqual({
      app_id: "shop",
      since: "2026-01-01T00:00:00.000Z",
      now: "2026-01-01T00:01:00.000Z",
      connections: 2,
      connections_by_key: { "shop-key": 1, "shop-key-2": 1 },
      channels: 3,
      presence_members: 1,
      totals,
      rates_per_second: { ...totals, messages_in: 0.5 },
    });
  });

  it("gives Prometheus text with HELP and TYPE for every series, labelled by app", () => {
    const text = statsPrometheus([snapshot]);
    expect(text.endsWith("\n")).toBe(true);
    const lines = text.trimEnd().split("\n");
    expect(lines.slice(0, 3)).toEqual([
      "# HELP sower_connections Open WebSocket connections",
      "# TYPE sower_connections gauge",
      'sower_connections{app_id="shop"} 2',
    ]);
    expect(lines).toContain("# TYPE sower_messages_in_total counter");
    expect(lines).toContain('sower_messages_in_total{app_id="shop"} 10');
    expect(lines).toContain('sower_messages_in_per_second{app_id="shop"} 0.5');
    expect(lines).toContain('sower_webhooks_failed_total{app_id="shop"} 1');
    expect(lines).toContain('sower_start_time_seconds{app_id="shop"} 1767225600');
    // Every sample line is "name{labels} number", every other line a HELP or TYPE comment.
    for (const line of lines) expect(line).toMatch(/^(# (HELP|TYPE) sower_\w+ .+|sower_\w+\{app_id="shop"\} [0-9.]+)$/);
  });
});
