import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import type { Browser } from "playwright-core";
import type Pusher from "pusher";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { uniqueName } from "../e2e/support/clients";
import { type ServerInfo, startServer } from "../e2e/support/server";
import { AppServer } from "./support/app-server";
import { launchChromium, Tab } from "./support/browser";
import { echoModule, laravelBroadcaster } from "./support/laravel";
import { snippet } from "./support/snippets";

/**
 * Laravel Echo (its pusher connector, set up as docs/laravel.md says) with
 * the history module in its built `<script>` form (`npm run build:client`),
 * in Chromium: a tab that goes offline for 5 s while 50 events are
 * published gets all of them after it reconnects, once each and in order,
 * before the live ones published as it comes back.
 */

const HISTORY = { channels: ["history.*"], max_events: 500, max_seconds: 600 };
const MODULE_PATH = "/sower-history.global.js";

let browser: Browser;
let server: { info: ServerInfo; stop: () => Promise<void> };
let app: AppServer;
let laravel: Pusher;
let tab: Tab | undefined;

beforeAll(async () => {
  // The build under test: the page loads what the build wrote, not the TypeScript source.
  execFileSync("node", ["scripts/build-client.mjs"], { stdio: "pipe" });
  const built = readFileSync("dist/client/sower-history.global.js", "utf8");
  [browser, server] = await Promise.all([
    launchChromium(),
    startServer(["--var", `HISTORY:${JSON.stringify(HISTORY)}`]),
  ]);
  laravel = laravelBroadcaster(server.info);
  app = await AppServer.start({
    sdk: laravel,
    routes: {
      [MODULE_PATH]: (_request, response) => {
        response.writeHead(200, { "Content-Type": "text/javascript" });
        response.end(built);
      },
    },
  });
});
afterEach(async () => {
  await tab?.close();
  tab = undefined;
});
afterAll(async () => {
  await Promise.all([browser?.close(), app?.close(), server?.stop()]);
});

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe("history recovery with Laravel Echo and the built module in Chromium", () => {
  it("a tab offline for 5 s while 50 events are published gets all 50 once, in order, before later live ones", async () => {
    const channel = uniqueName("history.");
    tab = await Tab.open(browser, `${app.origin}/?user=alice`);
    await tab.page.addScriptTag({ url: MODULE_PATH });
    await tab.run(echoModule(server.info));
    await tab.page.waitForFunction("window.Echo !== undefined", undefined, { timeout: 10_000 });
    await tab.run(`
      const pusher = Echo.connector.pusher;
      window.sowerHistory = SowerHistory.withHistory(pusher, {
        onRecovery: (recovery) => report("recovery", recovery),
      });
      Echo.channel(${JSON.stringify(channel)})
        .subscribed(() => report("subscribed", true))
        .listen(".note", (data) => report("note", data.n));
      // Cut off as a network drop does: the socket closes and new ones cannot connect.
      window.cutOff = () => pusher.connection.connection.transport.socket.close();
      pusher.connection.bind("state_change", ({ current }) => report("state", current));
    `);
    await tab.next("subscribed");
    const page = tab;
    const notes = () => page.seen("note");

    for (let n = 1; n <= 3; n++) await laravel.trigger(channel, "note", { n });
    await expect.poll(notes, { timeout: 10_000 }).toHaveLength(3);

    await tab.page.context().setOffline(true);
    await tab.page.evaluate("window.cutOff()");
    const cut = Date.now();
    for (let n = 4; n <= 53; n++) {
      await laravel.trigger(channel, "note", { n });
      await delay(5000 / 50);
    }
    expect(Date.now() - cut).toBeGreaterThanOrEqual(5000);
    expect(notes()).toHaveLength(3);

    await tab.page.context().setOffline(false);
    // Live events published while the tab reconnects, resubscribes and recovers.
    for (let n = 54; n <= 63; n++) {
      await laravel.trigger(channel, "note", { n });
      await delay(50);
    }
    await expect.poll(notes, { timeout: 20_000 }).toHaveLength(63);
    await delay(300);
    expect(notes()).toEqual(Array.from({ length: 63 }, (_, index) => index + 1));
    const recoveries = tab.seen("recovery");
    expect(recoveries).toHaveLength(1);
    expect(recoveries[0]).toMatchObject({ channel, recovered: true });
    expect(recoveries[0]).toHaveProperty(
      "missed",
      expect.toSatisfy((missed: number) => missed >= 50),
    );
    // It did go through a reconnect, not a socket that stayed open.
    expect(tab.seen("state")).toEqual(expect.arrayContaining(["connecting", "connected"]));
    expect(await tab.page.evaluate(`window.sowerHistory.position(${JSON.stringify(channel)}).serial`)).toBe(63);
  });
});

describe("docs/history.md's <script> tag example", () => {
  it("attaches the built file's SowerHistory.withHistory to a pusher-js client", async () => {
    const html = snippet("history-script-tag");
    const sources = Array.from(html.matchAll(/<script src="([^"]+)"><\/script>/g), (match) => match[1]);
    // The page of the test already has the same pusher-js build, served locally.
    expect(sources).toEqual(["https://js.pusher.com/8.4/pusher.min.js", MODULE_PATH]);
    const inline = /<script>\n([\s\S]*?)<\/script>/.exec(html)?.[1];
    expect(inline).toContain("SowerHistory.withHistory(pusher");
    const { host, port, key } = server.info;
    const options = { wsHost: host, wsPort: port, forceTLS: false, enabledTransports: ["ws"], cluster: "" };
    tab = await Tab.open(browser, app.origin);
    await tab.page.addScriptTag({ url: MODULE_PATH });
    await tab.run(`
      const key = ${JSON.stringify(key)};
      const options = ${JSON.stringify(options)};
      ${inline}
      pusher.connection.bind("connected", () => report("attached", typeof history.position));
    `);
    expect(await tab.next("attached")).toBe("function");
  });
});
