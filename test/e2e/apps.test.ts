import type Pusher from "pusher";
import type PusherClient from "pusher-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backend, client, connected, disconnectAfterEach, once, subscribed, uniqueName } from "./support/clients";
import { atTestShards, type ServerInfo, startServer } from "./support/server";

const SHOP = { id: "2001", key: "shop-key-e2e", secret: "shop-secret-e2e-0123456789" };
const BLOG = { id: "2002", key: "blog-key-e2e", secret: "blog-secret-e2e-0123456789" };
const OFF = { id: "2003", key: "off-key-e2e", secret: "off-secret-e2e-0123456789" };
const APPS = [
  { ...SHOP, enable_client_messages: true, max_backend_events_per_sec: 5 },
  { ...BLOG, allowed_origins: ["https://blog.example.com"] },
  { ...OFF, enabled: false },
];

type Credentials = typeof SHOP;

let server: Awaited<ReturnType<typeof startServer>>;
beforeAll(async () => {
  server = await startServer(["--var", `APPS:${JSON.stringify(atTestShards(APPS))}`]);
}, 90_000);
afterAll(() => server?.stop());

const track = disconnectAfterEach();

/** The test server as seen with one app's credentials. */
function as(app: Credentials): ServerInfo {
  return { ...server.info, appId: app.id, key: app.key, secret: app.secret };
}

function sdk(app: Credentials): Pusher {
  return backend(as(app));
}

/** pusher-js on an app's key, authorizing private channels with that app's SDK as its auth endpoint would. */
function browser(app: Credentials): PusherClient {
  return track(client({ server: as(app) }));
}

describe("many apps on one deployment, with pusher-js and the pusher SDK", () => {
  it("keeps two apps' channels of the same name apart", async () => {
    const name = uniqueName("shared-");
    const shop = await subscribed(browser(SHOP), name);
    const blog = await subscribed(browser(BLOG), name);
    const blogEvents: unknown[] = [];
    blog.bind("news", (data: unknown) => blogEvents.push(data));
    const shopHeard = once(shop, "news");
    await sdk(SHOP).trigger(name, "news", { from: "shop" });
    expect(await shopHeard).toEqual({ from: "shop" });
    // Blog's own event arrives after anything the shop's trigger could have sent it.
    const blogHeard = once(blog, "news");
    await sdk(BLOG).trigger(name, "news", { from: "blog" });
    await blogHeard;
    expect(blogEvents).toEqual([{ from: "blog" }]);
  });

  it("refuses one app's credentials on another app's id", async () => {
    const forged = sdk({ ...SHOP, id: BLOG.id });
    await expect(forged.trigger(uniqueName("x-"), "e", "x")).rejects.toMatchObject({ status: 401 });
  });

  it("refuses a disabled app: 4003 to pusher-js, 403 to the SDK", async () => {
    const pusher = browser(OFF);
    // pusher-js wraps a handshake refusal: {type: "WebSocketError", error: {type: "PusherError", data}}.
    const error = await once<{ error?: { data?: unknown } }>(pusher.connection, "error");
    expect(error.error?.data).toEqual({ code: 4003, message: "App is disabled" });
    // 40xx means "refused": pusher-js stops instead of reconnecting.
    expect(pusher.connection.state).toBe("disconnected");
    await expect(sdk(OFF).trigger(uniqueName("x-"), "e", "x")).rejects.toMatchObject({ status: 403 });
    // The other apps are unaffected.
    await connected(browser(SHOP));
  });

  it("answers 429 once an app is over max_backend_events_per_sec", async () => {
    const channels = Array.from({ length: 6 }, (_, index) => uniqueName(`wide-${index}-`));
    await expect(sdk(SHOP).trigger(channels, "e", "x")).rejects.toMatchObject({
      status: 429,
      body: "Rate limit reached: this app allows 5 backend events per second (this request alone counts 6). Slow down and retry.\n",
    });
  });

  it("serves an app's statistics to its SDK's signed get()", async () => {
    await connected(browser(SHOP));
    const stats = await sdk(SHOP).get({ path: "/stats" });
    expect(stats.status).toBe(200);
    const body = (await stats.json()) as { app_id: string; connections: number; totals: { connections: number } };
    expect(body.app_id).toBe(SHOP.id);
    expect(body.connections).toBeGreaterThanOrEqual(1);
    expect(body.totals.connections).toBeGreaterThanOrEqual(body.connections);
    const metrics = await sdk(SHOP).get({ path: "/metrics" });
    expect(await metrics.text()).toMatch(/^sower_connections\{app_id="2001"\} \d+$/m);
  });
});
