import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { backend, uniqueName } from "../e2e/support/clients";
import { DropProxy } from "../e2e/support/proxy";
import { AppServer } from "./support/app-server";
import { launchChromium, Tab } from "./support/browser";
import { about, connectPusher } from "./support/page-code";

let browser: Browser;
let app: AppServer;
let proxy: DropProxy;
const tabs: Tab[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  app = await AppServer.start({ sdk: backend(), userInfo: (id) => ({ name: id[0]?.toUpperCase() + id.slice(1) }) });
  proxy = await DropProxy.start(inject("sower"));
});
afterAll(async () => {
  await Promise.all([browser?.close(), app?.close(), proxy?.close()]);
});
afterEach(async () => {
  await Promise.all(tabs.splice(0).map((tab) => tab.close()));
});

/** A tab of the app signed in as `user` (or signed out), connected straight to the server or through the relay. */
async function tab(user: string | undefined, via: "direct" | "relay" = "direct"): Promise<Tab> {
  const opened = await Tab.open(browser, user === undefined ? app.origin : `${app.origin}/?user=${user}`);
  tabs.push(opened);
  const server = inject("sower");
  await opened.run(connectPusher(server, via === "relay" ? proxy.port : server.port));
  return opened;
}

describe("pusher-js browser build in Chromium", () => {
  it("connects and gets a socket id", async () => {
    const page = await tab(undefined);
    expect(await page.next("connected")).toMatch(/^\d+\.\d+$/);
  });

  it("subscribes to public, private and presence channels through the app's auth endpoint", async () => {
    const page = await tab("alice");
    const [pub, priv, pres] = [uniqueName("public-"), uniqueName("private-"), uniqueName("presence-")];
    await page.run(`watch(${JSON.stringify(pub)}); watch(${JSON.stringify(priv)}); watch(${JSON.stringify(pres)});`);
    expect(await page.next("subscribed", about(pub))).toEqual({ channel: pub, members: null });
    expect(await page.next("subscribed", about(priv))).toEqual({ channel: priv, members: null });
    expect(await page.next("subscribed", about(pres))).toEqual({
      channel: pres,
      members: { count: 1, members: { alice: { name: "Alice" } }, me: { id: "alice", info: { name: "Alice" } } },
    });
  });

  it("reports the app's refusal when a signed-out page asks for a private channel", async () => {
    const page = await tab(undefined);
    const priv = uniqueName("private-");
    await page.run(`watch(${JSON.stringify(priv)});`);
    expect(await page.next("subscription_error", about(priv))).toEqual({
      channel: priv,
      error: { type: "AuthError", error: expect.stringContaining("403"), status: 403 },
    });
  });

  it("relays client events between two pages and shows who joins and leaves", async () => {
    const pres = uniqueName("presence-");
    const alice = await tab("alice");
    await alice.run(`watch(${JSON.stringify(pres)}, ["client-typing"]);`);
    await alice.next("subscribed", about(pres));
    const bob = await tab("bob");
    await bob.run(`window.room = watch(${JSON.stringify(pres)});`);
    expect(await bob.next("subscribed", about(pres))).toEqual({
      channel: pres,
      members: {
        count: 2,
        members: { alice: { name: "Alice" }, bob: { name: "Bob" } },
        me: { id: "bob", info: { name: "Bob" } },
      },
    });
    expect(await alice.next("member_added", about(pres))).toEqual({
      channel: pres,
      member: { id: "bob", info: { name: "Bob" } },
    });

    await bob.run(`report("triggered", room.trigger("client-typing", { text: "hello from Bob", at: [1, 2] }));`);
    expect(await bob.next("triggered")).toBe(true);
    expect(await alice.next("event", about(pres))).toEqual({
      channel: pres,
      event: "client-typing",
      data: { text: "hello from Bob", at: [1, 2] },
      metadata: { user_id: "bob" },
    });

    await bob.close();
    expect(await alice.next("member_removed", about(pres))).toEqual({
      channel: pres,
      member: { id: "bob", info: { name: "Bob" } },
    });
  });

  it("receives what the backend triggers with the pusher SDK, on public and private channels", async () => {
    const page = await tab("alice");
    const [pub, priv] = [uniqueName("public-"), uniqueName("private-")];
    await page.run(
      `watch(${JSON.stringify(pub)}, ["order-shipped"]); watch(${JSON.stringify(priv)}, ["order-shipped"]);`,
    );
    await Promise.all([page.next("subscribed", about(pub)), page.next("subscribed", about(priv))]);
    const order = { id: 7, items: ["tea", "cups"], note: "fragile – handle with care" };
    await backend().trigger([pub, priv], "order-shipped", order);
    for (const channel of [pub, priv]) {
      expect(await page.next("event", about(channel))).toEqual({
        channel,
        event: "order-shipped",
        data: order,
        metadata: {},
      });
    }
  });

  it("signs in, gets events sent to the user, and stays away once the backend terminates it", async () => {
    const alice = await tab("alice");
    // pusher-js is already "connecting" when the page binds, so "connected" is the first state reported.
    expect(await alice.next("state")).toBe("connected");
    await alice.run(`pusher.user.bind("order-ready", (data) => report("user_event", data)); pusher.signin();`);
    // pusher-js subscribes to the user's own channel once signed in; its flag is the only sign of that.
    await alice.page.waitForFunction("window.pusher.user.serverToUserChannel?.subscribed === true", undefined, {
      timeout: 10_000,
    });
    await backend().sendToUser("alice", "order-ready", { id: 42, pickup: "desk 3" });
    expect(await alice.next("user_event")).toEqual({ id: 42, pickup: "desk 3" });

    await backend().terminateUserConnections("alice");
    expect(await alice.next("connection_error")).toEqual({
      type: "PusherError",
      data: { code: 4009, message: expect.any(String) },
    });
    expect(await alice.next("state")).toBe("disconnected");
    // Another page connecting shows the server is up; Alice's page never tried again.
    const bob = await tab("bob");
    await bob.next("connected");
    expect(alice.seen("state")).toEqual([]);
  });

  it("reconnects after the server drops the socket and keeps its subscriptions", async () => {
    const priv = uniqueName("private-");
    const alice = await tab("alice", "relay");
    const first = await alice.next("connected");
    await alice.run(`watch(${JSON.stringify(priv)}, ["client-note"]);`);
    await alice.next("subscribed", about(priv));

    proxy.drop(4200);
    const second = await alice.next("connected");
    expect(second).toMatch(/^\d+\.\d+$/);
    expect(second).not.toBe(first);
    await alice.next("subscribed", about(priv));

    const bob = await tab("bob");
    await bob.run(`window.notes = watch(${JSON.stringify(priv)});`);
    await bob.next("subscribed", about(priv));
    await bob.run(`notes.trigger("client-note", { text: "after the drop" });`);
    expect(await alice.next("event", about(priv))).toEqual({
      channel: priv,
      event: "client-note",
      data: { text: "after the drop" },
      // Only presence channels carry the sender's user id.
      metadata: {},
    });
  });
});
