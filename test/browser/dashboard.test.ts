import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { uniqueName } from "../e2e/support/clients";
import { DashboardSite } from "./support/dashboard-page";
import { about } from "./support/page-code";

const TOKEN = "browser-dashboard-token-0123456789abcdef";
const SHOP = { id: "3001", key: "shop-key-dash", secret: "shop-secret-dash-0123456789" };
const BLOG = { id: "3002", key: "blog-key-dash", secret: "blog-secret-dash-0123456789" };
const APPS = [
  { ...SHOP, enable_client_messages: true },
  { ...BLOG, enable_client_messages: true },
];

const site = new DashboardSite(TOKEN, SHOP);
const { openDashboard, logInWithToken, logInAsApp, subscribedTab, shot } = site;

beforeAll(() => site.start(APPS), 90_000);
afterAll(() => site.stop());
afterEach(() => site.closePages());

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
    await page.goto(`http://localhost:${site.server.port}/dashboard#/apps/${BLOG.id}`);
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("opens one app only");
  });
});

describe("dashboard views in Chromium", () => {
  it("shows presence members with their user_info as they join and leave", async () => {
    const channel = uniqueName("presence-dash-");
    await subscribedTab("alice", channel);
    const bob = await subscribedTab("bob", channel);

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
    site.opened.splice(site.opened.indexOf(bob), 1);
    await page.getByRole("button", { name: "Refresh" }).click();
    await expect.poll(() => members.allTextContents()).toEqual(['alice{"name":"Alice"}']);
  });

  it("publishes from the event creator to pusher-js", async () => {
    const channel = uniqueName("dash-news-");
    const reader = await subscribedTab("carol", channel, ["headline"]);

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
