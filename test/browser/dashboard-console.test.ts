import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { backend, uniqueName } from "../e2e/support/clients";
import { WebhookReceiver } from "../e2e/support/webhook-receiver";
import { DashboardSite } from "./support/dashboard-page";
import { about } from "./support/page-code";

const TOKEN = "browser-console-token-0123456789abcdef";
const SHOP = { id: "3101", key: "shop-key-console", secret: "shop-secret-console-0123456789" };
/** Only channels ending so make webhooks, so the other tests' channels queue none. */
const HOOKED = "-hook";

const receiver = new WebhookReceiver();
const site = new DashboardSite(TOKEN, SHOP);
const { openDashboard, logInWithToken, appTab, subscribedTab, shot } = site;

beforeAll(async () => {
  const hooks = await receiver.start();
  const webhooks = [
    {
      url: `${hooks}/dashboard`,
      event_types: ["channel_occupied", "channel_vacated", "member_added", "member_removed"],
      filter: { channel_name_ends_with: HOOKED },
    },
  ];
  await site.start([{ ...SHOP, enable_client_messages: true, webhooks }]);
}, 90_000);
afterAll(() => Promise.all([site.stop(), receiver.stop()]));
afterEach(() => {
  receiver.outage = undefined;
  return site.closePages();
});

/** The shop app's debug console, live. */
async function openConsole(): Promise<Page> {
  const page = await openDashboard();
  await logInWithToken(page);
  await page.locator(`article[data-app="${SHOP.id}"]`).getByRole("link", { name: "Debug console" }).click();
  await expect.poll(() => page.locator("#console-state").textContent(), { timeout: 5000 }).toBe("Live");
  return page;
}

const line = (page: Page, kind: string, text: string) =>
  page.locator(`#console-lines li[data-kind="${kind}"]`, { hasText: text });

describe("the debug console in Chromium", () => {
  it("shows a socket connect and a REST event within a second; filters by channel and socket; pauses and clears", async () => {
    const page = await openConsole();
    const reader = await appTab("dave");
    const socketId = String(await reader.page.evaluate("window.pusher.connection.socket_id"));
    await line(page, "connected", socketId).waitFor({ timeout: 1000 });
    const channel = uniqueName("console-news-");
    await reader.run(`watch(${JSON.stringify(channel)}, ["headline", "late"]);`);
    await reader.next("subscribed", about(channel));
    await line(page, "subscribed", channel).waitFor({ timeout: 1000 });

    await backend(site.server).trigger(channel, "headline", { title: "Sower has a console" });
    await line(page, "api_event", channel).waitFor({ timeout: 1000 });
    expect(await line(page, "api_event", channel).textContent()).toContain(`headline on ${channel}`);

    const visible = () => page.locator("#console-lines li:visible").allTextContents();
    await page.getByLabel("Filter").fill(channel);
    await expect.poll(visible).toEqual([expect.stringContaining("API event"), expect.stringContaining("Subscribed")]);
    await page.getByLabel("Filter").fill(socketId);
    await expect
      .poll(visible)
      .toEqual([expect.stringContaining("Subscribed"), expect.stringContaining("Connection opened")]);
    await page.getByLabel("Filter").fill("");

    await page.getByRole("button", { name: "Pause" }).click();
    await backend(site.server).trigger(channel, "late", {});
    await reader.next("event", about(channel));
    await expect.poll(() => page.locator("#console-state").textContent()).toBe("Live · paused, 1 event held");
    expect(await line(page, "api_event", "late on").count()).toBe(0);
    await page.getByRole("button", { name: "Resume" }).click();
    await line(page, "api_event", "late on").waitFor({ timeout: 1000 });

    await page.getByRole("button", { name: "Clear" }).click();
    expect(await page.locator("#console-lines li").count()).toBe(0);
  });

  it("shows presence members join and leave", async () => {
    const page = await openConsole();
    const channel = uniqueName("presence-console-");
    const alice = await subscribedTab("alice", channel);
    const bob = await subscribedTab("bob", channel);
    await line(page, "member_added", `alice to ${channel}`).waitFor({ timeout: 2000 });
    await line(page, "member_added", `bob to ${channel}`).waitFor({ timeout: 2000 });

    await backend(site.server).trigger(channel, "greeting", { text: "hello" });
    await alice.run(`window.pusher.channel(${JSON.stringify(channel)}).trigger("client-wave", { at: 1 });`);
    await line(page, "client_event", channel).waitFor({ timeout: 2000 });
    await bob.close();
    site.opened.splice(site.opened.indexOf(bob), 1);
    await line(page, "member_removed", `bob from ${channel}`).waitFor({ timeout: 2000 });
    expect(await line(page, "member_removed", "alice").count()).toBe(0);
    await shot(page, "console");
  });
});

describe("the webhooks view in Chromium", () => {
  it("shows an endpoint that answers 500 as failing, and it recovers after retry now", async () => {
    receiver.outage = "fail";
    const channel = `${uniqueName("orders-")}${HOOKED}`;
    await subscribedTab("erin", channel);

    const page = await openDashboard();
    await logInWithToken(page);
    await page.locator(`article[data-app="${SHOP.id}"]`).getByRole("link", { name: "Webhooks" }).click();
    const queue = page.locator("#webhook-queues tbody tr");
    // Three failed attempts put the next one seconds away, so the recovery below is retry now's doing.
    await expect
      .poll(
        async () => {
          await page.getByRole("button", { name: "Refresh" }).click();
          return queue.allTextContents();
        },
        { timeout: 15_000, interval: 500 },
      )
      .toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+( via \S+)?Failing1[3-9]\d\d:\d\d:\d\d$/)]);
    await expect.poll(() => page.locator("#webhooks-summary").textContent()).toContain("1 endpoint failing");
    expect(await page.locator('#webhook-attempts tr[data-outcome="failed"]').first().textContent()).toContain(
      "channel_occupied",
    );
    await shot(page, "webhooks-failing");

    receiver.outage = undefined;
    await page.getByRole("button", { name: "Retry now" }).click();
    await expect.poll(() => page.locator("#retry-result").textContent()).toBe("Retrying 1 queued event now.");
    await expect
      .poll(() => page.locator("#webhooks-summary").textContent(), { timeout: 5000 })
      .toContain("No endpoint is failing");
    expect(await page.locator('#webhook-attempts tr[data-outcome="delivered"]').first().textContent()).toContain(
      "channel_occupied",
    );
    expect(receiver.received("/dashboard", channel)).toEqual([expect.objectContaining({ name: "channel_occupied" })]);
    await shot(page, "webhooks");
  });
});
