import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { backend, uniqueName } from "../e2e/support/clients";
import { type ServerInfo, startServer } from "../e2e/support/server";
import { AppServer } from "./support/app-server";
import { launchChromium } from "./support/browser";
import { dashboardPages } from "./support/dashboard-page";
import { about } from "./support/page-code";

const TOKEN = "browser-dashboard-token-0123456789abcdef";
const SHOP = { id: "3001", key: "shop-key-dash", secret: "shop-secret-dash-0123456789" };
const BLOG = { id: "3002", key: "blog-key-dash", secret: "blog-secret-dash-0123456789" };
const APPS = [
  { ...SHOP, enable_client_messages: true },
  { ...BLOG, enable_client_messages: true },
];

let server: Awaited<ReturnType<typeof startServer>>;
let shop: ServerInfo;
let browser: Browser;
let app: AppServer;
const pages: Array<{ close(): Promise<void> }> = [];
const { openDashboard, logInWithToken, logInAsApp, appTab, shot } = dashboardPages({
  browser: () => browser,
  server: () => shop,
  appOrigin: () => app.origin,
  token: TOKEN,
  opened: pages,
});

beforeAll(async () => {
  server = await startServer(["--var", `APPS:${JSON.stringify(APPS)}`, "--var", `DASHBOARD_TOKEN:${TOKEN}`], {
    appId: SHOP.id,
    key: SHOP.key,
    secret: SHOP.secret,
  });
  shop = server.info;
  browser = await launchChromium();
  app = await AppServer.start({ sdk: backend(shop), userInfo: (id) => ({ name: id[0]?.toUpperCase() + id.slice(1) }) });
}, 90_000);
afterAll(async () => {
  await Promise.all([browser?.close(), app?.close(), server?.stop()]);
});
afterEach(async () => {
  await Promise.all(pages.splice(0).map((page) => page.close()));
});

describe("dashboard login in Chromium", () => {
  it("opens every app with the operator's token", async () => {
    const page = await openDashboard();
    await shot(page, "login");
    await logInWithToken(page);
    await expect.poll(() => page.locator("article[data-app]").count()).toBe(2);
    await expect.poll(() => page.locator(`article[data-app="${BLOG.id}"] .status`).textContent()).toBe("Enabled");
    // The token is gone from the form and is nowhere on the page or in its URL.
    expect(page.url()).not.toContain(TOKEN);
    expect(await page.content()).not.toContain(TOKEN);
    const cookies = await page.context().cookies();
    expect(cookies).toEqual([
      expect.objectContaining({
        name: "sower_dashboard",
        httpOnly: true,
        secure: true,
        sameSite: "Strict",
        path: "/dashboard",
      }),
    ]);
    await shot(page, "apps");
  });

  it("refuses a wrong token and a wrong secret", async () => {
    const page = await openDashboard();
    await logInWithToken(page, `${TOKEN}-wrong`);
    await expect.poll(() => page.getByRole("alert").textContent()).toBe("Wrong token");
    await logInAsApp(page, { key: SHOP.key, secret: BLOG.secret });
    await expect.poll(() => page.getByRole("alert").textContent()).toBe("Wrong key or secret");
    expect(await page.locator("article[data-app]").count()).toBe(0);
    await shot(page, "login-refused");
  });

  it("opens one app with its key and secret, and refuses another app", async () => {
    const page = await openDashboard(390);
    await logInAsApp(page, SHOP);
    await expect.poll(() => page.locator("article[data-app]").count()).toBe(1);
    expect(await page.locator(`article[data-app="${SHOP.id}"]`).count()).toBe(1);
    expect(await page.content()).not.toContain(SHOP.secret);
    await shot(page, "apps-phone");
    await page.goto(`http://localhost:${shop.port}/dashboard#/apps/${BLOG.id}`);
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("opens one app only");
  });
});

describe("dashboard views in Chromium", () => {
  it("shows presence members with their user_info as they join and leave", async () => {
    const channel = uniqueName("presence-dash-");
    const alice = await appTab("alice");
    await alice.run(`watch(${JSON.stringify(channel)});`);
    await alice.next("subscribed", about(channel));
    const bob = await appTab("bob");
    await bob.run(`watch(${JSON.stringify(channel)});`);
    await bob.next("subscribed", about(channel));

    const page = await openDashboard();
    await logInWithToken(page);
    await page.getByRole("link", { name: "Channels" }).first().click();
    const listed = page.locator(`li[data-channel="${channel}"]`);
    await expect.poll(() => listed.textContent()).toContain("2 subscriptions · 2 users");
    await shot(page, "channels");

    await listed.getByRole("link").click();
    const members = page.locator("#members li");
    await expect.poll(() => members.allTextContents()).toEqual(['alice{"name":"Alice"}', 'bob{"name":"Bob"}']);
    await shot(page, "channel");

    await bob.close();
    pages.splice(pages.indexOf(bob), 1);
    await page.getByRole("button", { name: "Refresh" }).click();
    await expect.poll(() => members.allTextContents()).toEqual(['alice{"name":"Alice"}']);
  });

  it("publishes from the event creator to pusher-js", async () => {
    const channel = uniqueName("dash-news-");
    const reader = await appTab("carol");
    await reader.run(`watch(${JSON.stringify(channel)}, ["headline"]);`);
    await reader.next("subscribed", about(channel));

    const page = await openDashboard();
    await logInAsApp(page, SHOP);
    await page.getByRole("link", { name: "Publish an event" }).click();
    await page.getByLabel("Channels (comma-separated)").fill(channel);
    await page.getByLabel("Event name").fill("headline");
    await page.getByLabel("Data").fill('{"title":"Sower ships a dashboard"}');
    await page.getByRole("button", { name: "Publish" }).click();
    expect(await reader.next("event", about(channel))).toEqual({
      channel,
      event: "headline",
      data: { title: "Sower ships a dashboard" },
      metadata: expect.anything(),
    });
    await expect.poll(() => page.getByRole("status").textContent()).toBe(`Published to ${channel}.`);
    await shot(page, "publish");

    // Refused exactly as POST /events refuses it.
    await page.getByLabel("Event name").fill("pusher:forged");
    await page.getByRole("button", { name: "Publish" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toContain("reserved for the protocol");
  });
});
