import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MinuteSeries, SERIES_RETENTION_MINUTES } from "../../src/beacon/state/minute-series";
import { hubName } from "../../src/contract/objects";
import { MINUTE_MS } from "../../src/contract/series";
import { appRest, appTrigger } from "./support/app-rest";
import { connectApp, subscribeApp } from "./support/app-sockets";
import { SERIES_APP, SHARDED_APP, type TestApp } from "./support/apps";
import { unique } from "./support/channels";
import { DASHBOARD_TOKEN, dashboard, json, logIn } from "./support/dashboard";
import { hibernate } from "./support/eviction";
import { sharded, socketHolders } from "./support/objects";
import { connectIn, shardOf, subscribeIn } from "./support/shards";
import type { TestSocket } from "./support/socket";
import { ALL_EVENTS_URL, poll, WebhookRecorder } from "./support/webhooks";

const recorder = new WebhookRecorder();
let restore: () => void;
beforeAll(() => {
  restore = recorder.install();
});
afterAll(() => restore());

/** The graph's columns over the last hour, each added up (connections: the highest point). */
async function hourFigures(appId: string): Promise<Record<string, number>> {
  const cookie = await logIn({ token: DASHBOARD_TOKEN });
  const response = await dashboard(`/api/apps/${appId}/series?range=hour`, { cookie });
  expect(response.status).toBe(200);
  const body = await json(response);
  expect(body).toMatchObject({ range: "hour", step_seconds: 60 });
  const figures: Record<string, number> = {};
  for (const [name, values] of Object.entries(body)) {
    if (!Array.isArray(values)) continue;
    expect(values).toHaveLength(60);
    const numbers = values.map(Number);
    figures[name] = name === "connections" ? Math.max(...numbers) : numbers.reduce((sum, value) => sum + value, 0);
  }
  return figures;
}

interface Listed {
  id?: unknown;
  stats?: { connections?: number };
  today?: unknown;
}

/** The app as the Apps view lists it to the app's own login (which lists it alone): its stats and today's figures. */
async function listed(app: TestApp): Promise<Listed> {
  const cookie = await logIn({ key: app.key, secret: app.secret });
  const body = await json(await dashboard("/api/apps", { cookie }));
  const apps: Listed[] = Array.isArray(body.apps) ? body.apps : [];
  return apps.find((each) => each.id === app.id) ?? {};
}

describe("the figures per minute", () => {
  it("record real traffic, app-wide at every shard count, and survive an eviction", async () => {
    const channel = unique("series-");
    const sockets: TestSocket[] = [];
    for (let index = 0; index < 3; index++) {
      const socket = await connectApp(SERIES_APP.key);
      await subscribeApp(socket, SERIES_APP, channel);
      sockets.push(socket);
    }
    for (const name of ["first", "second"]) {
      expect((await appTrigger(SERIES_APP, [channel], name, "{}")).status).toBe(200);
      for (const socket of sockets) await socket.nextEvent(name);
    }
    // Reads and terminate_connections are API calls too, wherever a sharded app answers them.
    const user = unique("series-user-");
    const calls = [
      await appRest(SERIES_APP, "GET", "/channels"),
      await appRest(SERIES_APP, "GET", `/channels/${channel}`, { params: { info: "subscription_count" } }),
      await appRest(SERIES_APP, "POST", `/users/${user}/terminate_connections`, { body: {} }),
    ];
    expect(calls.map((call) => call.status)).toEqual([200, 200, 200]);
    sockets[2]?.ws.close(1000);
    // A sharded app's channel and user calls are counted by their hubs, which hand their counts to the
    // app's first shard on their alarms (within 10 s of activity): run now, the figures are those of one Beacon.
    if (sharded(SERIES_APP.id)) {
      for (const hub of [channel, `#server-to-user-${user}`]) {
        await runDurableObjectAlarm(env.HUB.getByName(hubName(SERIES_APP.id, hub)));
      }
    }
    const expected = {
      connections: 3,
      messages_in: 5,
      messages_out: 6,
      api_calls: 5,
      webhooks_delivered: 0,
      webhooks_retrying: 0,
      webhooks_failed: 0,
      rate_limited: 0,
    };
    // Reading the Apps view reads the stats, which flushes every shard: evicted after it, nothing is lost.
    const app = await poll(5000, "the closed socket to be gone", async () => {
      const seen = await listed(SERIES_APP);
      return seen.stats?.connections === 2 ? seen : undefined;
    });
    expect(app.today).toEqual({ peak_today: 3, webhook_failures_recent: 0, rate_limited_recent: 0 });
    expect(await hourFigures(SERIES_APP.id)).toEqual(expected);
    for (const holder of socketHolders(SERIES_APP.id)) await hibernate(holder);
    expect(await hourFigures(SERIES_APP.id)).toEqual(expected);
    for (const socket of sockets.slice(0, 2)) socket.ws.close(1000);
  }, 15_000);

  it("add up a sharded app's shards minute by minute, with the webhooks its hubs delivered", async () => {
    const channel = unique("series-spread-").concat("-wh");
    const near = [await connectIn(SHARDED_APP, "weur"), await connectIn(SHARDED_APP, "weur")];
    const far = await connectIn(SHARDED_APP, "oc");
    for (const socket of [...near, far]) await subscribeIn(SHARDED_APP, socket, channel);
    expect((await appTrigger(SHARDED_APP, [channel], "spread", "{}")).status).toBe(200);
    for (const socket of [...near, far]) await socket.nextEvent("spread");
    await recorder.waitFor(ALL_EVENTS_URL, channel, 1);

    // Each shard keeps its own sockets' minutes; the Worker adds them.
    const from = Math.floor(Date.now() / MINUTE_MS) - 1;
    const most = async (region: "weur" | "oc") => {
      const read = await shardOf(SHARDED_APP, region).readSeries(SHARDED_APP.id, from);
      if (!read.ok) throw new Error(read.error.message);
      return Math.max(...read.value.buckets.map((bucket) => bucket.connectionsMax));
    };
    expect(await most("weur")).toBeGreaterThanOrEqual(2);
    expect(await most("oc")).toBeGreaterThanOrEqual(1);
    const app = await poll(8000, "the hub's counts to reach the first shard", async () => {
      const figures = await hourFigures(SHARDED_APP.id);
      return (figures.webhooks_delivered ?? 0) >= 1 && (figures.api_calls ?? 0) >= 1 ? figures : undefined;
    });
    // The three sockets are open together in the current minute, wherever each is.
    expect(app.connections).toBeGreaterThanOrEqual(3);
    expect(app.messages_out).toBeGreaterThanOrEqual(3);
    // The trigger was counted once, by its channel's hub, which handed it on with its webhook counts.
    expect(app.api_calls).toBe(1);
    expect(app.messages_in).toBe(4);
    for (const socket of [...near, far]) socket.ws.close(1000);
  });
});

describe("the graphs' API", () => {
  it("refuses an unknown range, a change, and another app's figures to a tenant", async () => {
    const operator = await logIn({ token: DASHBOARD_TOKEN });
    const week = await dashboard(`/api/apps/${SERIES_APP.id}/series?range=week`, { cookie: operator });
    expect(week.status).toBe(400);
    expect(await week.json()).toEqual({ error: "range must be hour or day" });
    const posted = await dashboard(`/api/apps/${SERIES_APP.id}/series`, { cookie: operator, body: {} });
    expect(posted.status).toBe(405);
    const tenant = await logIn({ key: SHARDED_APP.key, secret: SHARDED_APP.secret });
    const other = await dashboard(`/api/apps/${SERIES_APP.id}/series?range=hour`, { cookie: tenant });
    expect(other.status).toBe(403);
    const own = await dashboard(`/api/apps/${SHARDED_APP.id}/series?range=day`, { cookie: tenant });
    expect(own.status).toBe(200);
    const day = await json(own);
    expect(day).toMatchObject({ range: "day", step_seconds: 300 });
    // A day at five minutes a point.
    expect(day.connections).toHaveLength(288);
  });
});

describe("a Beacon's minute rows", () => {
  const START = Math.floor(Date.now() / MINUTE_MS) - 2 * SERIES_RETENTION_MINUTES;
  const at = (minute: number, second = 0) => (START + minute) * MINUTE_MS + second * 1000;
  const rows = (sql: SqlStorage) =>
    sql
      .exec<{ minute: number; api_calls: number }>("SELECT minute, api_calls FROM stats_minutes ORDER BY minute")
      .toArray()
      .map((row) => [row.minute - START, row.api_calls]);

  it("roll over each minute, outlive the object's eviction, and are pruned past the retention", async () => {
    const stub = env.BEACON.getByName(unique("series-object-"));
    const written = await runInDurableObject(stub, (_, state) => {
      const series = new MinuteSeries(state.storage.sql);
      series.add("api_calls", 2, at(0, 10));
      series.persist(at(0, 50));
      const duringTheMinute = rows(state.storage.sql);
      series.add("api_calls", 1, at(1, 5));
      series.persist(at(1, 6));
      series.add("api_calls", 4, at(3));
      series.persist(at(4));
      return { duringTheMinute, after: rows(state.storage.sql) };
    });
    expect(written).toEqual({
      duringTheMinute: [],
      after: [
        [0, 2],
        [1, 1],
        [3, 4],
      ],
    });

    await evictDurableObject(stub);
    const later = SERIES_RETENTION_MINUTES + 2;
    const survived = await runInDurableObject(stub, (_, state) => {
      const series = new MinuteSeries(state.storage.sql);
      const read = series.read(START, at(5)).buckets.map((bucket) => [bucket.minute - START, bucket.counts.api_calls]);
      series.add("api_calls", 1, at(later));
      series.persist(at(later + 1));
      return { read, pruned: rows(state.storage.sql) };
    });
    expect(survived.read).toEqual([
      [0, 2],
      [1, 1],
      [3, 4],
      [5, 0],
    ]);
    // Minutes 0 and 1 fell past the retention; 3 is still within it, and `later` has just been written.
    expect(survived.pruned).toEqual([
      [3, 4],
      [later, 1],
    ]);
  });
});
