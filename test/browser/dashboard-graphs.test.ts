import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import type PusherClient from "pusher-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backend, client, connected, once, subscribed, uniqueName } from "../e2e/support/clients";
import { type ServerInfo, startServer } from "../e2e/support/server";
import { WebhookReceiver } from "../e2e/support/webhook-receiver";
import { launchChromium } from "./support/browser";

const TOKEN = "browser-graphs-token-0123456789abcdefgh";
const SHOP = { id: "3201", key: "graphs-shop-key", secret: "graphs-shop-secret-0123456789" };
const HOOKS = { id: "3202", key: "graphs-hooks-key", secret: "graphs-hooks-secret-0123456789" };
/** docs/dashboard.md shows these; only a run with UPDATE_SCREENSHOTS=1 replaces the committed ones. */
const SCREENSHOTS =
  process.env.UPDATE_SCREENSHOTS === "1"
    ? join(import.meta.dirname, "../../docs/dashboard")
    : mkdtempSync(join(tmpdir(), "sower-graphs-"));

let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;
let healthy: WebhookReceiver;
let down: WebhookReceiver;
const clients: PusherClient[] = [];
/** What the browser refused under the dashboard's Content-Security-Policy: uPlot must draw without loosening it. */
const refusedByPolicy: string[] = [];

/**
 * Each app on one Beacon, whatever the tier's shards: the figures asserted
 * here are exact at once, where a sharded app's hubs hand their counts of
 * triggers and webhooks to its first shard up to 10 s later, and counts no
 * channel read among its API calls (docs/dashboard.md, "Graphs").
 */
beforeAll(async () => {
  healthy = new WebhookReceiver();
  down = new WebhookReceiver();
  down.outage = "fail";
  const events = ["channel_occupied", "channel_vacated"];
  const apps = [
    { ...SHOP, webhooks: [{ url: `${await healthy.start()}/hooks`, event_types: events }] },
    { ...HOOKS, webhooks: [{ url: `${await down.start()}/hooks`, event_types: events }] },
  ];
  server = await startServer(
    ["--var", `APPS:${JSON.stringify(apps)}`, "--var", `DASHBOARD_TOKEN:${TOKEN}`],
    { appId: SHOP.id, key: SHOP.key, secret: SHOP.secret },
    1,
  );
  browser = await launchChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 90_000);
afterAll(async () => {
  for (const pusher of clients) pusher.disconnect();
  await Promise.all([browser?.close(), server?.stop(), healthy?.stop(), down?.stop()]);
});

function infoOf(app: { id: string; key: string; secret: string }): ServerInfo {
  return { ...server.info, appId: app.id, key: app.key, secret: app.secret };
}

async function subscriber(app: { id: string; key: string; secret: string }, channel: string): Promise<PusherClient> {
  const pusher = client({ server: infoOf(app) });
  clients.push(pusher);
  await connected(pusher);
  await subscribed(pusher, channel);
  return pusher;
}

async function dashboard(width: number): Promise<Page> {
  // A language tag Intl accepts: the machine's may be "en-US@posix", which uPlot's date formats refuse.
  const context = await browser.newContext({ viewport: { width, height: 800 }, locale: "en-US" });
  const page = await context.newPage();
  page.on("pageerror", (error) => {
    throw error;
  });
  page.on("console", (message) => {
    if (message.text().includes("Content Security Policy")) refusedByPolicy.push(message.text());
  });
  await page.goto(`http://localhost:${server.info.port}/dashboard`);
  await page.getByLabel("Dashboard token").fill(TOKEN);
  await page.getByRole("button", { name: "Log in" }).click();
  return page;
}

function figure(page: Page, app: string, label: string): Promise<string | null> {
  return page.locator(`article[data-app="${app}"] dt:text-is("${label}") + dd`).textContent();
}

function line(page: Page, graph: string, column: string): Promise<string | null> {
  return page.locator(`figure[data-graph="${graph}"] li[data-line="${column}"]`).getAttribute("data-value");
}

/** Pixels of a graph's canvas that uPlot painted: a canvas that exists but shows nothing has none. */
async function paintedPixels(page: Page, graph: string): Promise<number> {
  const painted = await page.evaluate(`(() => {
    const canvas = document.querySelector('figure[data-graph="${graph}"] canvas');
    if (canvas === null) return 0;
    const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
    let painted = 0;
    for (let alpha = 3; alpha < data.length; alpha += 4) if (data[alpha] > 0) painted++;
    return painted;
  })()`);
  return Number(painted);
}

describe("dashboard graphs in Chromium", () => {
  it("draws connections, messages, API calls and webhooks from real traffic, with today's peak", async () => {
    const channel = uniqueName("graphs-");
    const readers = [];
    for (let index = 0; index < 3; index++) readers.push(await subscriber(SHOP, channel));
    // The first subscribe occupied the channel: one channel_occupied webhook, delivered.
    await healthy.waitFor("/hooks", channel, 1);
    const sdk = backend(infoOf(SHOP));
    for (let index = 0; index < 4; index++) {
      const arrived = Promise.all(readers.map((reader) => once(reader.channel(channel), "news")));
      await sdk.trigger(channel, "news", { index });
      await arrived;
    }
    readers[2]?.disconnect();

    const page = await dashboard(1100);
    await expect.poll(() => figure(page, SHOP.id, "Connections now"), { timeout: 10_000 }).toBe("2");
    expect(await figure(page, SHOP.id, "Peak today (UTC)")).toBe("3");

    await page.locator(`article[data-app="${SHOP.id}"]`).getByRole("link", { name: "Graphs" }).click();
    await expect.poll(() => line(page, "connections", "connections")).toBe("3");
    // Three subscribe frames and four REST events in; each event to three subscribers out.
    expect(await line(page, "messages", "messages_in")).toBe("7");
    expect(await line(page, "messages", "messages_out")).toBe("12");
    expect(await line(page, "api", "api_calls")).toBe("4");
    expect(await line(page, "webhooks", "webhooks_delivered")).toBe("1");
    expect(await line(page, "webhooks", "webhooks_retrying")).toBe("0");
    for (const graph of ["connections", "messages", "api", "webhooks"]) {
      await expect.poll(() => paintedPixels(page, graph)).toBeGreaterThan(0);
    }
    await page.screenshot({ path: join(SCREENSHOTS, "graphs.png"), fullPage: true });
    expect(refusedByPolicy).toEqual([]);

    // The day's graph draws the same traffic at five minutes a point.
    await page.getByRole("link", { name: "Last day" }).click();
    await expect.poll(() => page.getByRole("link", { name: "Last day" }).getAttribute("aria-current")).toBe("page");
    await expect.poll(() => line(page, "messages", "messages_out")).toBe("12");
    expect(await line(page, "connections", "connections")).toBe("3");
    await expect.poll(() => paintedPixels(page, "messages")).toBeGreaterThan(0);
    await page.context().close();
  });

  it("flags an app whose webhook endpoint fails, and reads at a phone's width", async () => {
    const channel = uniqueName("hooked-");
    await subscriber(HOOKS, channel);
    await expect.poll(() => down.about("/hooks", channel).length, { timeout: 10_000 }).toBeGreaterThan(0);

    const page = await dashboard(1100);
    const status = (app: string) => page.locator(`article[data-app="${app}"] .status`).textContent();
    await expect.poll(() => status(HOOKS.id), { timeout: 10_000 }).toBe("Webhooks failing");
    expect(await status(SHOP.id)).toBe("Enabled");
    await page.screenshot({ path: join(SCREENSHOTS, "apps-status.png"), fullPage: true });
    await page.context().close();

    const phone = await dashboard(390);
    await phone.locator(`article[data-app="${HOOKS.id}"]`).getByRole("link", { name: "Graphs" }).click();
    await expect.poll(() => line(phone, "webhooks", "webhooks_retrying")).not.toBe("0");
    await expect.poll(() => paintedPixels(phone, "webhooks")).toBeGreaterThan(0);
    // Every graph fits the screen: nothing to scroll sideways.
    expect(Number(await phone.evaluate("document.documentElement.scrollWidth"))).toBeLessThanOrEqual(390);
    await phone.screenshot({ path: join(SCREENSHOTS, "graphs-phone.png"), fullPage: true });
    expect(refusedByPolicy).toEqual([]);
    await phone.context().close();
  });
});
