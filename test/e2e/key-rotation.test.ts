import type PusherClient from "pusher-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backend, client, connected, disconnectAfterEach, once, subscribed, uniqueName } from "./support/clients";
import { type ServerInfo, startServer } from "./support/server";
import { WebhookReceiver } from "./support/webhook-receiver";

const NEXT = { key: "sower-key-next", secret: "e2e-next-secret-0123456789" };
const OLD = { key: "sower-key-old", secret: "e2e-old-secret-0123456789" };
const OCCUPIED = "/occupied";

let receiver: WebhookReceiver;
let server: { info: ServerInfo; stop: () => Promise<void> };

beforeAll(async () => {
  receiver = new WebhookReceiver();
  const origin = await receiver.start();
  const webhooks = [{ url: `${origin}${OCCUPIED}`, event_types: ["channel_occupied"] }];
  server = await startServer([
    "--var",
    `APP_KEYS:${JSON.stringify([NEXT, { ...OLD, retired: true }])}`,
    "--var",
    `WEBHOOKS:${JSON.stringify(webhooks)}`,
  ]);
}, 90_000);
afterAll(async () => {
  await server?.stop();
  await receiver?.stop();
});

const track = disconnectAfterEach();

/** The primary pair, APP_KEY and APP_SECRET. */
function primary(): { key: string; secret: string } {
  return { key: server.info.key, secret: server.info.secret };
}

/** The server as a client or backend holding one pair sees it. */
function withPair(pair: { key: string; secret: string }): ServerInfo {
  return { ...server.info, ...pair };
}

/** pusher-js on `pair`'s key, its private channels authorized by an auth endpoint signing with `signer`. */
function browser(pair: { key: string; secret: string }, signer = pair): PusherClient {
  return track(client({ server: withPair(pair), sdkOptions: signer }));
}

describe("key rotation with pusher-js and the pusher SDK", () => {
  it("serves pusher-js on the second pair, with its auth endpoint and backend on the second secret", async () => {
    const name = uniqueName("private-next-");
    const channel = await subscribed(browser(NEXT), name);
    const heard = once(channel, "news");
    await backend(withPair(NEXT)).trigger(name, "news", { from: "next" });
    expect(await heard).toEqual({ from: "next" });
  });

  it("lets clients and backends on either pair talk during the rotation", async () => {
    const name = uniqueName("private-mixed-");
    // A client already moved to the new key, while its auth endpoint still signs with the old primary pair.
    const moved = await subscribed(browser(NEXT, primary()), name);
    const staying = await subscribed(browser(primary()), name);
    const heard = [once(moved, "news"), once(staying, "news")];
    await backend(server.info).trigger(name, "news", { from: "primary" });
    expect(await Promise.all(heard)).toEqual([{ from: "primary" }, { from: "primary" }]);
  });

  it("refuses the retired pair: 4001 to pusher-js, which stops, and 401 to the SDK", async () => {
    const pusher = browser(OLD);
    const error = await once<{ error?: { data?: unknown } }>(pusher.connection, "error");
    expect(error.error?.data).toEqual({ code: 4001, message: "App key retired: connect with the app's current key" });
    expect(pusher.connection.state).toBe("disconnected");
    await expect(backend(withPair(OLD)).trigger(uniqueName("x-"), "e", "x")).rejects.toMatchObject({
      status: 401,
      body: "auth_key 'sower-key-old' is retired: sign requests with a current key and secret of the app\n",
    });
  });

  it("refuses a subscription whose auth endpoint still signs with the retired pair", async () => {
    const pusher = browser(NEXT, OLD);
    const channel = pusher.subscribe(uniqueName("private-stale-"));
    const failed = await once<{ type?: string; status?: number }>(channel, "pusher:subscription_error");
    expect(failed).toMatchObject({ type: "AuthError", status: 401 });
    // The connection itself is fine.
    await connected(pusher);
  });

  it("counts sockets by key in /stats", async () => {
    await connected(browser(NEXT));
    const stats = await backend(withPair(NEXT)).get({ path: "/stats" });
    const body = (await stats.json()) as { connections_by_key: Record<string, number> };
    expect(Object.keys(body.connections_by_key)).toEqual([server.info.key, NEXT.key, OLD.key]);
    expect(body.connections_by_key[NEXT.key]).toBeGreaterThanOrEqual(1);
    expect(body.connections_by_key[OLD.key]).toBe(0);
  });

  it("signs webhooks with the primary pair, which a backend on the new pair accepts as an extra token", async () => {
    const name = uniqueName("occupied-");
    await subscribed(browser(NEXT), name);
    await receiver.waitFor(OCCUPIED, name, 1);
    const [request] = receiver.about(OCCUPIED, name);
    if (request === undefined) throw new Error("no webhook request");
    expect(request.headers["x-pusher-key"]).toBe(server.info.key);
    const webhook = (pair: { key: string; secret: string }) =>
      backend(withPair(pair)).webhook({ headers: request.headers, rawBody: request.rawBody });
    expect(webhook(primary()).isValid()).toBe(true);
    expect(webhook(NEXT).isValid()).toBe(false);
    expect(webhook(NEXT).isValid([primary()])).toBe(true);
  });
});
