import { describe, expect, it } from "vitest";
import { connectApp } from "./support/app-sockets";
import { APP_A, DEFAULT_APP, DISABLED_APP, SHARDED_APP, TEST_APPS } from "./support/apps";
import { subscribe, unique } from "./support/channels";
import { DASHBOARD_TOKEN, dashboard, json, logIn } from "./support/dashboard";
import { rest } from "./support/rest";
import { connectIn, subscribeIn } from "./support/shards";
import { connect } from "./support/socket";

const app = DEFAULT_APP.id;

async function operator(): Promise<string> {
  return logIn({ token: DASHBOARD_TOKEN });
}

describe("the apps view", () => {
  it("shows each app's connections and message totals, and never a secret", async () => {
    const cookie = await operator();
    const socket = await connectApp(APP_A.key);
    const response = await dashboard("/api/apps", { cookie });
    expect(response.status).toBe(200);
    const text = await response.clone().text();
    for (const each of TEST_APPS) expect(text).not.toContain(each.secret);
    const body = await json(response);
    expect(body.apps).toHaveLength(TEST_APPS.length);
    expect(body.apps).toContainEqual({
      id: APP_A.id,
      enabled: true,
      webhooks: 0,
      stats: expect.objectContaining({
        app_id: APP_A.id,
        connections: 1,
        totals: expect.objectContaining({ messages_in: expect.any(Number), messages_out: expect.any(Number) }),
      }),
      today: { peak_today: expect.any(Number), webhook_failures_recent: 0, rate_limited_recent: 0 },
    });
    expect(body.apps).toContainEqual(expect.objectContaining({ id: DISABLED_APP.id, enabled: false }));
    socket.ws.close(1000);
  });
});

describe("the channels view", () => {
  it("lists occupied channels with subscription counts, and presence channels with user counts", async () => {
    const cookie = await operator();
    const [publicChannel, presence] = [unique("dash-public-"), unique("presence-dash-")];
    const [first, second] = [await connect(), await connect()];
    await subscribe(first, publicChannel);
    await subscribe(second, publicChannel);
    await subscribe(first, presence, { user_id: "ada", user_info: { name: "Ada" } });
    const body = await json(await dashboard(`/api/apps/${app}/channels`, { cookie }));
    expect(body.all).toMatchObject({
      channels: { [publicChannel]: { subscription_count: 2 }, [presence]: { subscription_count: 1 } },
    });
    expect(body.presence).toMatchObject({ channels: { [presence]: { user_count: 1, subscription_count: 1 } } });
    first.ws.close(1000);
    second.ws.close(1000);
  });

  it("shows a presence channel's members with their user_info", async () => {
    const cookie = await operator();
    const presence = unique("presence-dash-");
    const [ada, bob] = [await connect(), await connect()];
    await subscribe(ada, presence, { user_id: "ada", user_info: { name: "Ada", role: "admin" } });
    await subscribe(bob, presence, { user_id: "bob" });
    const response = await dashboard(`/api/apps/${app}/channels/${encodeURIComponent(presence)}`, { cookie });
    expect(await json(response)).toEqual({
      state: { occupied: true, subscription_count: 2, user_count: 2 },
      members: [
        { id: "ada", info: JSON.stringify({ name: "Ada", role: "admin" }) },
        // A member authorized without user_info has {}, as the protocol hands it to other members.
        { id: "bob", info: "{}" },
      ],
    });
    ada.ws.close(1000);
    bob.ws.close(1000);
  });

  it("shows a sharded app's presence members from the channel's hub, across its shards", async () => {
    const cookie = await operator();
    const presence = unique("presence-dash-sharded-");
    const [ada, bob] = [await connectIn(SHARDED_APP, "weur"), await connectIn(SHARDED_APP, "oc")];
    await subscribeIn(SHARDED_APP, ada, presence, { user_id: "ada", user_info: { name: "Ada" } });
    await subscribeIn(SHARDED_APP, bob, presence, { user_id: "bob" });
    const path = `/api/apps/${SHARDED_APP.id}/channels/${encodeURIComponent(presence)}`;
    expect(await json(await dashboard(path, { cookie }))).toEqual({
      state: { occupied: true, subscription_count: 2, user_count: 2 },
      members: [
        { id: "ada", info: JSON.stringify({ name: "Ada" }) },
        { id: "bob", info: "{}" },
      ],
    });
    ada.ws.close(1000);
    bob.ws.close(1000);
  });

  it("shows a cache channel's last event", async () => {
    const cookie = await operator();
    const channel = unique("cache-dash-");
    const socket = await connect();
    await subscribe(socket, channel);
    const published = await rest("POST", "/events", { body: { name: "price", channel, data: '{"eur":3}' } });
    expect(published.status).toBe(200);
    const body = await json(await dashboard(`/api/apps/${app}/channels/${channel}`, { cookie }));
    expect(body).toEqual({
      occupied: true,
      subscription_count: 1,
      cache: { event: "price", data: '{"eur":3}', ttl: expect.any(Number) },
    });
    socket.ws.close(1000);
  });

  it("refuses an invalid channel name as the REST API does", async () => {
    const cookie = await operator();
    const response = await dashboard(`/api/apps/${app}/channels/${encodeURIComponent("bad name")}`, { cookie });
    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({ error: expect.stringContaining("Invalid channel 'bad name'") });
  });

  it("answers 404 for an app that does not exist", async () => {
    const cookie = await operator();
    expect((await dashboard("/api/apps/no-such-app/channels", { cookie })).status).toBe(404);
  });
});

describe("the event creator", () => {
  it("publishes to subscribers as POST /events does", async () => {
    const cookie = await logIn({ key: DEFAULT_APP.key, secret: DEFAULT_APP.secret });
    const channel = unique("dash-publish-");
    const socket = await connect();
    await subscribe(socket, channel);
    const response = await dashboard(`/api/apps/${app}/events`, {
      cookie,
      body: { name: "greeting", channels: [channel], data: '{"hello":"world"}' },
    });
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({});
    expect(await socket.next()).toEqual({ event: "greeting", channel, data: '{"hello":"world"}' });
    socket.ws.close(1000);
  });

  it("refuses what POST /events refuses, with the same message", async () => {
    const cookie = await operator();
    const bad = { name: "pusher:forged", channel: "dash-any", data: "{}" };
    const viaDashboard = await dashboard(`/api/apps/${app}/events`, { cookie, body: bad });
    const viaRest = await rest("POST", "/events", { body: bad });
    expect(viaDashboard.status).toBe(400);
    expect(viaRest.status).toBe(400);
    expect(await json(viaDashboard)).toEqual({ error: viaRest.text.trim() });
  });

  it("refuses a disabled app, as the REST API does", async () => {
    const cookie = await operator();
    const response = await dashboard(`/api/apps/${DISABLED_APP.id}/events`, {
      cookie,
      body: { name: "x", channel: "c", data: "{}" },
    });
    expect(response.status).toBe(403);
    expect(await json(response)).toEqual({ error: "App is disabled" });
  });

  it("takes only POST", async () => {
    const cookie = await operator();
    expect((await dashboard(`/api/apps/${app}/events`, { cookie })).status).toBe(405);
  });
});
