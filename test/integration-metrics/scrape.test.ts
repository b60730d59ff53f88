import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FLUSH_INTERVAL_MS } from "../../src/beacon/state/stats";
import type { AppsEnv } from "../../src/config/registry";
import { type PublishedStats, parsePublishedStats } from "../../src/contract/published-stats";
import { zeroTotals } from "../../src/contract/stats";
import { StatsRegistry, statsRegistry } from "../../src/metrics/registry";
import { route } from "../../src/router";
import { connectApp, subscribeApp } from "../integration/support/app-sockets";
import {
  APP_A,
  APP_B,
  CAPPED_APP,
  DEFAULT_APP,
  METERED_APP,
  METRICS_TOKEN,
  TEST_APPS,
  TIGHT_APP,
} from "../integration/support/apps";
import { unique } from "../integration/support/channels";
import { hibernate } from "../integration/support/eviction";
import { poll } from "../integration/support/webhooks";

/*
 * Each file runs in its own isolate, so these scrapes share one scrape
 * limit (10 per 10 seconds): the tests wait on the registry itself and
 * scrape only to check what a scraper sees.
 */

function scrape(headers: Record<string, string> = {}, settings: AppsEnv = {}) {
  return route(new Request("http://sower.test/metrics", { headers }), { ...env, ...settings });
}

async function scrapeText(settings: AppsEnv = {}): Promise<string> {
  const response = await scrape({ Authorization: `Bearer ${METRICS_TOKEN}` }, settings);
  expect(response.status).toBe(200);
  return response.text();
}

/** The records the registry holds for an app, one per object that published for it. */
async function published(appId: string): Promise<PublishedStats[]> {
  const records = await statsRegistry(env.STATS_REGISTRY).records();
  return records.map(parsePublishedStats).filter((record): record is PublishedStats => record?.appId === appId);
}

/** Waits until the app's published connections are `count`: a publish is sent without being awaited. */
function publishedConnections(appId: string, count: number): Promise<PublishedStats[]> {
  return poll(FLUSH_INTERVAL_MS, `${appId} to publish ${count} connections`, async () => {
    const records = await published(appId);
    return records.reduce((sum, record) => sum + record.gauges.connections, 0) === count ? records : undefined;
  });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("GET /metrics for every app, with METRICS_TOKEN", () => {
  it("refuses a missing or wrong bearer token with 401", async () => {
    expect((await scrape()).status).toBe(401);
    const wrong = await scrape({ Authorization: "Bearer scrape-token-0123456789abcdeX" });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("WWW-Authenticate")).toBe("Bearer");
    expect(await wrong.text()).not.toContain(METRICS_TOKEN);
  });

  it("lists every app's series under one HELP and TYPE per metric", async () => {
    const socket = await connectApp(APP_A.key);
    await publishedConnections(APP_A.id, 1);
    const response = await scrape({ Authorization: `Bearer ${METRICS_TOKEN}` });
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const lines = (await response.text()).trimEnd().split("\n");
    expect(lines.filter((line) => line === "# TYPE sower_connections gauge")).toHaveLength(1);
    const connections = lines.filter((line) => line.startsWith("sower_connections{"));
    expect(connections).toHaveLength(TEST_APPS.length);
    expect(connections).toContain(`sower_connections{app_id="${APP_A.id}"} 1`);
    for (const app of TEST_APPS) expect(lines.join("\n")).not.toContain(app.secret);
    socket.ws.close(1000);
  });
});

describe("GET /metrics reads the stats registry, not the apps' Beacons", () => {
  it("serves an idle app's last figures without waking its Beacon", async () => {
    const beacon = env.BEACON.getByName(APP_B.id);
    const socket = await connectApp(APP_B.key);
    await publishedConnections(APP_B.id, 1);
    await hibernate(beacon);
    const text = await scrapeText();
    // A hibernated socket is still connected: the figures published before the Beacon slept are still true.
    expect(text).toContain(`sower_connections{app_id="${APP_B.id}"} 1\n`);
    expect(text).toContain(`sower_connections_total{app_id="${APP_B.id}"} 1\n`);
    // Control: evicting succeeds only while the Beacon runs, so this fails if the scrape woke it.
    await expect(evictDurableObject(beacon)).rejects.toThrow();
    socket.ws.close(1000);
  });

  it("shows a busy app's figures within one flush interval, written once per interval", async () => {
    const writes = vi.spyOn(StatsRegistry.prototype, "publish");
    const beacon = env.BEACON.getByName(METERED_APP.id);
    const first = await connectApp(METERED_APP.key);
    const firstPublishedBy = Date.now();
    // A Beacon's first change is published at once.
    await publishedConnections(METERED_APP.id, 1);
    // Everything after it, within the interval, is owed to the alarm rather than written.
    const second = await connectApp(METERED_APP.key);
    const channel = unique("busy-");
    await subscribeApp(first, METERED_APP, channel);
    await subscribeApp(second, METERED_APP, channel);
    expect(writes.mock.calls.filter(([, appId]) => appId === METERED_APP.id)).toHaveLength(1);
    expect((await published(METERED_APP.id))[0]?.gauges).toEqual({
      connections: 1,
      connectionsByKey: [{ key: METERED_APP.key, connections: 1 }],
      channels: 0,
      presenceMembers: 0,
    });
    const alarm = await runInDurableObject(beacon, (_, state) => state.storage.getAlarm());
    expect(alarm).not.toBeNull();
    expect(alarm).toBeLessThanOrEqual(firstPublishedBy + FLUSH_INTERVAL_MS);

    // Nothing more happens: the alarm alone carries the last figures, within the interval.
    await poll(FLUSH_INTERVAL_MS + 2000, "the owed publish", async () => {
      const [record] = await published(METERED_APP.id);
      return record?.gauges.connections === 2 ? record : undefined;
    });
    expect(Date.now()).toBeGreaterThanOrEqual(alarm ?? 0);
    // Once it has landed nothing is owed: the alarm does not go on ringing for an app with nothing new.
    await poll(2000, "the alarm to be spent", () =>
      runInDurableObject(beacon, async (_, state) => ((await state.storage.getAlarm()) === null ? true : undefined)),
    );
    expect(writes.mock.calls.filter(([, appId]) => appId === METERED_APP.id)).toHaveLength(2);
    const text = await scrapeText();
    expect(text).toContain(`sower_connections{app_id="${METERED_APP.id}"} 2\n`);
    expect(text).toContain(`sower_channels{app_id="${METERED_APP.id}"} 1\n`);
    expect(text).toContain(`sower_messages_in_total{app_id="${METERED_APP.id}"} 2\n`);
    first.ws.close(1000);
    second.ws.close(1000);
  }, 20_000);

  it("drops an app once it is removed from the configuration", async () => {
    const socket = await connectApp(CAPPED_APP.key);
    await publishedConnections(CAPPED_APP.id, 1);
    const remaining = TEST_APPS.filter((app) => app.id !== CAPPED_APP.id);
    const text = await scrapeText({ APPS: JSON.stringify(remaining) });
    expect(text).not.toContain(`app_id="${CAPPED_APP.id}"`);
    expect(text).toContain(`sower_connections{app_id="${DEFAULT_APP.id}"}`);
    socket.ws.close(1000);
  });

  it("adds up the records of an app's several objects", async () => {
    const now = Date.now();
    const part = (connections: number, messages: number): string => {
      const totals = { ...zeroTotals(), connections, messages_in: messages };
      const record: PublishedStats = {
        appId: TIGHT_APP.id,
        since: now - 5000,
        at: now,
        gauges: {
          connections,
          connectionsByKey: [{ key: TIGHT_APP.key, connections }],
          channels: 1,
          presenceMembers: 0,
        },
        totals,
        samples: [{ at: now, totals }],
      };
      return JSON.stringify(record);
    };
    // As two shards of one app would publish, each under its own object's key.
    const registry = statsRegistry(env.STATS_REGISTRY);
    await registry.publish("shard-one-of-tight", TIGHT_APP.id, now, part(3, 10));
    await registry.publish("shard-two-of-tight", TIGHT_APP.id, now, part(4, 5));
    const text = await scrapeText();
    expect(text).toContain(`sower_connections{app_id="${TIGHT_APP.id}"} 7\n`);
    expect(text).toContain(`sower_channels{app_id="${TIGHT_APP.id}"} 2\n`);
    expect(text).toContain(`sower_messages_in_total{app_id="${TIGHT_APP.id}"} 15\n`);
    expect(text).toContain(`sower_start_time_seconds{app_id="${TIGHT_APP.id}"} ${Math.floor((now - 5000) / 1000)}\n`);
  });
});
