import { env, runInDurableObject } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { channelStringToSign, signToken } from "../../src/auth/signatures";
import type { Beacon } from "../../src/beacon/beacon";
import { MIGRATIONS } from "../../src/beacon/state/migrations";
import { appTrigger } from "./support/app-rest";
import { connectApp, subscribeApp } from "./support/app-sockets";
import { UPGRADED_APP } from "./support/apps";
import { unique } from "./support/channels";
import { hibernate } from "./support/eviction";
import type { TestSocket } from "./support/socket";
import { rowsOf, schemaOf, writeUnversionedObject } from "./support/unversioned-object";
import { ALL_EVENTS_URL, WebhookRecorder } from "./support/webhooks";

/*
 * An object made and filled by the release before schema versions, then
 * woken by this one: it must keep every row, socket and pending webhook,
 * and be recorded at the latest schema version.
 */

const app = UPGRADED_APP;
const beacon = () => env.BEACON.getByName(app.id);
const chat = `${unique("private-upgrade-")}-wh`;
const room = `${unique("presence-upgrade-")}-wh`;
const news = unique("cache-upgrade-");
const SINCE = Date.UTC(2026, 0, 1);
const TOTALS = {
  connections: 7,
  messages_in: 40,
  bytes_in: 4000,
  messages_out: 90,
  bytes_out: 9000,
  rate_limited: 1,
  webhooks_delivered: 12,
  webhooks_retrying: 2,
  webhooks_failed: 0,
};

const recorder = new WebhookRecorder();
let restoreFetch: () => void;
let ada: TestSocket;
let bob: TestSocket;
/** What the unversioned release left in each table. */
let written: Record<string, unknown[]>;

/** Tables whose rows nothing in these tests changes once the object is awake. */
const KEPT_TABLES = ["subscriptions", "user_sessions", "channel_cache", "due_work"];

/** The object's schema, its meta rows but the stats (rewritten as it counts), and the kept tables' rows. */
function stableState(sql: SqlStorage) {
  return {
    schema: schemaOf(sql),
    meta: rowsOf(sql, "meta").filter((row) => row.key !== "stats"),
    rows: Object.fromEntries(KEPT_TABLES.map((table) => [table, rowsOf(sql, table)])),
  };
}

async function signedSubscribe(socket: TestSocket, channel: string, member: { user_id: string }) {
  const channelData = JSON.stringify(member);
  const auth = await signToken(app, channelStringToSign(socket.socketId, channel, channelData));
  socket.send({ event: "pusher:subscribe", data: { channel, auth, channel_data: channelData } });
  return socket.nextEvent("pusher_internal:subscription_succeeded");
}

beforeAll(async () => {
  restoreFetch = recorder.install();
  [ada, bob] = [await connectApp(app.key), await connectApp(app.key)];
  const now = Date.now();
  const rows = {
    meta: [
      { key: "app_id", value: app.id },
      { key: "stats", value: JSON.stringify({ since: SINCE, flushedAt: now - 60_000, totals: TOTALS }) },
    ],
    subscriptions: [
      { socket_id: ada.socketId, channel: chat, user_id: null, user_info: null },
      { socket_id: ada.socketId, channel: room, user_id: "ada", user_info: '{"name":"Ada"}' },
      // pusher-js subscribes a signed-in socket to its user's channel.
      { socket_id: ada.socketId, channel: "#server-to-user-ada", user_id: null, user_info: null },
      { socket_id: bob.socketId, channel: chat, user_id: null, user_info: null },
    ],
    user_sessions: [{ socket_id: ada.socketId, user_data: '{"id":"ada"}' }],
    channel_cache: [{ channel: news, event: "headline", data: '{"title":"kept"}', expires_at: now + 30 * 60_000 }],
    due_work: [{ kind: "subscription-count", key: chat, due_at: now + 3_600_000 }],
    webhook_outbox: [
      {
        endpoint: ALL_EVENTS_URL,
        event: JSON.stringify({ name: "channel_occupied", channel: chat }),
        created_at: now - 1000,
        due_at: now,
      },
    ],
    webhook_leaves: [{ kind: "member_removed", channel: room, user_id: "carol", due_at: now + 1500 }],
  };
  await runInDurableObject(beacon(), (instance: Beacon, state) => {
    instance.settleWrites();
    writeUnversionedObject(state.storage.sql, rows);
    written = Object.fromEntries(Object.keys(rows).map((table) => [table, rowsOf(state.storage.sql, table)]));
    // The attachments as that release wrote them, and the alarm it set for the outbox row.
    for (const ws of state.getWebSockets()) {
      const { socketId, connectedAt } = ws.deserializeAttachment();
      ws.serializeAttachment(
        socketId === ada.socketId ? { v: 1, socketId, connectedAt, userId: "ada" } : { v: 1, socketId, connectedAt },
      );
    }
    return state.storage.setAlarm(now + 1000);
  });
  // Torn down with its sockets hibernated; the alarm wakes the new code.
  await hibernate(beacon());
});

afterAll(() => {
  restoreFetch();
});

describe("an object made before schema versions, woken by this release", () => {
  it("delivers the webhook that was pending, once its alarm wakes it", async () => {
    expect(await recorder.waitFor(ALL_EVENTS_URL, chat, 1)).toEqual([{ name: "channel_occupied", channel: chat }]);
  });

  it("is recorded at the latest version with its rows untouched, and its schema is a fresh object's", async () => {
    const fresh = await runInDurableObject(env.BEACON.getByName(unique("fresh-")), (_, state) =>
      schemaOf(state.storage.sql),
    );
    const woken = await runInDurableObject(beacon(), (_, state) => ({
      ...stableState(state.storage.sql),
      leaves: rowsOf(state.storage.sql, "webhook_leaves"),
      outbox: rowsOf(state.storage.sql, "webhook_outbox"),
    }));
    expect(woken.schema).toEqual(fresh);
    expect(woken.meta).toEqual([
      { key: "app_id", value: app.id },
      { key: "schema_runnable_from", value: expect.stringMatching(/^\d+$/) },
      { key: "schema_version", value: String(MIGRATIONS.length) },
    ]);
    for (const table of KEPT_TABLES) expect(woken.rows[table], table).toEqual(written[table]);
    expect(woken.leaves).toEqual(written.webhook_leaves);
    // Delivered: the one table that was meant to change.
    expect(woken.outbox).toEqual([]);
  });

  it("reads the sockets that release accepted: their channels and the signed-in user", async () => {
    bob.send({ event: "client-after-upgrade", channel: chat, data: { n: 1 } });
    expect(await ada.nextEvent("client-after-upgrade")).toEqual({
      event: "client-after-upgrade",
      channel: chat,
      data: { n: 1 },
    });
    expect((await appTrigger(app, ["#server-to-user-ada"], "for-ada", '{"hi":1}')).status).toBe(200);
    expect(await ada.nextEvent("for-ada")).toMatchObject({ channel: "#server-to-user-ada", data: '{"hi":1}' });
  });

  it("keeps the presence roster, the cached event and the statistics", async () => {
    const dave = await connectApp(app.key);
    const joined = await signedSubscribe(dave, room, { user_id: "dave" });
    expect(JSON.parse(String(joined.data))).toEqual({
      presence: { ids: expect.arrayContaining(["ada", "dave"]), hash: { ada: { name: "Ada" }, dave: {} }, count: 2 },
    });
    const reader = await connectApp(app.key);
    await subscribeApp(reader, app, news);
    expect(await reader.nextEvent("headline")).toEqual({ event: "headline", channel: news, data: '{"title":"kept"}' });

    const metered = await runInDurableObject(beacon(), (instance: Beacon) => instance.readStats(app.id));
    if (!metered.ok) throw new Error(`stats refused: ${metered.error.message}`);
    const stats = metered.value;
    expect(stats.since).toBe(SINCE);
    expect(stats.totals.connections).toBeGreaterThanOrEqual(TOTALS.connections + 2);
    expect(stats.totals.webhooks_delivered).toBeGreaterThanOrEqual(TOTALS.webhooks_delivered + 1);
  });

  it("sends the leave it was holding once its grace period is over", async () => {
    const events = await recorder.waitFor(ALL_EVENTS_URL, room, 2);
    expect(events).toContainEqual({ name: "member_removed", channel: room, user_id: "carol" });
  });

  // Long: the eviction waits out the timer of the webhook request just made.
  it("keeps its version and rows when woken after another eviction", { timeout: 15_000 }, async () => {
    const before = await runInDurableObject(beacon(), (_, state) => stableState(state.storage.sql));
    await hibernate(beacon());
    bob.send({ event: "client-after-eviction", channel: chat, data: { n: 2 } });
    expect(await ada.nextEvent("client-after-eviction")).toMatchObject({ channel: chat, data: { n: 2 } });
    const after = await runInDurableObject(beacon(), (_, state) => stableState(state.storage.sql));
    expect(after).toEqual(before);
  });
});
