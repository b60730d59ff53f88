import type { Browser } from "playwright-core";
import type Pusher from "pusher";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { uniqueName } from "../e2e/support/clients";
import { AppServer } from "./support/app-server";
import { launchChromium, Tab } from "./support/browser";
import { echoModule, laravelBroadcaster } from "./support/laravel";
import { snippet } from "./support/snippets";

/**
 * Laravel Echo in Chromium, set up exactly as docs/laravel.md says (its
 * `.env` and `echo.js`), running the guide's own listening snippets. The page
 * is served by a stand-in for the Laravel app: `/broadcasting/auth` signs
 * with the `pusher` SDK as Laravel's Pusher broadcaster does.
 */
let browser: Browser;
let app: AppServer;
/** Laravel's side: the SDK configured from the guide's config/broadcasting.php and .env. */
let laravel: Pusher;
const tabs: Tab[] = [];

const NAMES: Record<string, string> = { alice: "Alice", bob: "Bob" };

beforeAll(async () => {
  browser = await launchChromium();
  laravel = laravelBroadcaster(inject("sower"));
  app = await AppServer.start({ sdk: laravel, userInfo: (id) => ({ id, name: NAMES[id] ?? id }) });
});
afterAll(async () => {
  await Promise.all([browser?.close(), app?.close()]);
});
afterEach(async () => {
  await Promise.all(tabs.splice(0).map((tab) => tab.close()));
});

/** A signed-in user's tab that has loaded the guide's echo.js (its own module, as in an app), then runs `code`. */
async function echoTab(user: string, code: string): Promise<Tab> {
  const tab = await Tab.open(browser, `${app.origin}/?user=${user}`);
  tabs.push(tab);
  await tab.run(echoModule(inject("sower")));
  await tab.page.waitForFunction("window.Echo !== undefined", undefined, { timeout: 10_000 });
  await tab.run(code);
  return tab;
}

function logged(label: string): (data: unknown) => boolean {
  return (data) => Array.isArray(data) && data[0] === label;
}

/** Probe code that reports once Echo's subscription to `channel` has succeeded. */
function whenSubscribed(kind: "channel" | "private", channel: string): string {
  return `Echo.${kind}(${JSON.stringify(channel)}).subscribed(() => report("subscribed", true));`;
}

/** What `broadcast(new OrderShipped($order))` sends: the class name as event, public properties as data. */
const ORDER_SHIPPED = "App\\Events\\OrderShipped";

describe("Laravel Echo with the pusher broadcaster, set up as the guide says", () => {
  it("connects and exposes its socket id for X-Socket-ID", async () => {
    // echo.js has started connecting before this probe runs, so it also covers "already connected".
    const tab = await echoTab(
      "alice",
      `const connection = Echo.connector.pusher.connection;
       if (connection.state === "connected") report("socket", Echo.socketId());
       else connection.bind("connected", () => report("socket", Echo.socketId()));`,
    );
    expect(await tab.next("socket")).toMatch(/^\d+\.\d+$/);
  });

  it("join() reports here, joining and leaving", async () => {
    const room = uniqueName("chat.");
    const presence = snippet("laravel-presence", { '"chat.1"': JSON.stringify(room) });
    const alice = await echoTab("alice", presence);
    expect(await alice.next("console", logged("here"))).toEqual(["here", [{ id: "alice", name: "Alice" }]]);

    const bob = await echoTab("bob", presence);
    const bobSees = await bob.next("console", logged("here"));
    expect(bobSees).toEqual(["here", [expect.anything(), expect.anything()]]);
    expect(bobSees).toEqual([
      "here",
      expect.arrayContaining([
        { id: "alice", name: "Alice" },
        { id: "bob", name: "Bob" },
      ]),
    ]);
    expect(await alice.next("console", logged("joining"))).toEqual(["joining", { id: "bob", name: "Bob" }]);

    await bob.close();
    expect(await alice.next("console", logged("leaving"))).toEqual(["leaving", { id: "bob", name: "Bob" }]);
  });

  it("whisper() reaches the others on the channel through listenForWhisper()", async () => {
    const room = uniqueName("chat.");
    const rename = { '"chat.1"': JSON.stringify(room) };
    const listen = `${snippet("laravel-whisper-listen", rename)}\n${whenSubscribed("private", room)}`;
    const bob = await echoTab("bob", listen);
    const alice = await echoTab("alice", listen);
    await Promise.all([bob.next("subscribed"), alice.next("subscribed")]);

    await alice.run(snippet("laravel-whisper", rename));
    expect(await bob.next("console", logged("typing"))).toEqual(["typing", "Alice"]);
  });

  it("channel().listen() receives what Laravel broadcasts", async () => {
    const orders = uniqueName("orders.");
    const listen = snippet("laravel-listen", { '"orders"': JSON.stringify(orders) });
    const tab = await echoTab("alice", `${listen}\n${whenSubscribed("channel", orders)}`);
    await tab.next("subscribed");
    await laravel.trigger(orders, ORDER_SHIPPED, { order: { id: 42, status: "shipped", lines: [{ sku: "A-1" }] } });
    expect(await tab.next("console", logged("shipped"))).toEqual([
      "shipped",
      { id: 42, status: "shipped", lines: [{ sku: "A-1" }] },
    ]);
  });

  it("private().listen() receives what Laravel broadcasts on the private channel", async () => {
    const orders = uniqueName("orders.");
    const listen = snippet("laravel-private", { '"orders.42"': JSON.stringify(orders) });
    const tab = await echoTab("alice", `${listen}\n${whenSubscribed("private", orders)}`);
    await tab.next("subscribed");
    await laravel.trigger(`private-${orders}`, ORDER_SHIPPED, { order: { id: 42, status: "shipped" } });
    expect(await tab.next("console", logged("my order shipped"))).toEqual([
      "my order shipped",
      { id: 42, status: "shipped" },
    ]);
  });

  it("toOthers() leaves out the tab whose request caused the broadcast", async () => {
    const orders = uniqueName("orders.");
    const listen = snippet("laravel-listen", { '"orders"': JSON.stringify(orders) });
    const probe = `${listen}\n${whenSubscribed("channel", orders)}`;
    const alice = await echoTab("alice", probe);
    const bob = await echoTab("bob", probe);
    await Promise.all([alice.next("subscribed"), bob.next("subscribed")]);

    await alice.run(snippet("laravel-to-others", { '"/orders"': JSON.stringify(`/orders?channel=${orders}`) }));
    expect(await bob.next("console", logged("shipped"))).toEqual(["shipped", { id: 42, status: "shipped" }]);
    // A broadcast to everyone comes after it on the same channel: if Alice had got the first, it would come first.
    await laravel.trigger(orders, ORDER_SHIPPED, { order: { id: 43, status: "shipped" } });
    expect(await bob.next("console", logged("shipped"))).toEqual(["shipped", { id: 43, status: "shipped" }]);
    expect(await alice.next("console", logged("shipped"))).toEqual(["shipped", { id: 43, status: "shipped" }]);
    expect(alice.seen("console").filter(logged("shipped"))).toEqual([]);
  });
});
