import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import type { ServerInfo } from "../../e2e/support/server";
import { Tab } from "./browser";
import { connectPusher } from "./page-code";

/**
 * docs/dashboard.md shows these. Every run takes them; only a run with
 * UPDATE_SCREENSHOTS=1 replaces the committed ones, so a test run leaves the
 * checkout as it found it.
 */
const SCREENSHOTS =
  process.env.UPDATE_SCREENSHOTS === "1"
    ? join(import.meta.dirname, "../../../docs/dashboard")
    : mkdtempSync(join(tmpdir(), "sower-dashboard-"));
mkdirSync(SCREENSHOTS, { recursive: true });

/**
 * The dashboard a test file serves: its browser, its server's first app, the
 * origin of the app's own pages, its token, and the tabs to close after each test.
 */
export interface DashboardSite {
  browser(): Browser;
  server(): ServerInfo;
  appOrigin(): string;
  readonly token: string;
  readonly opened: Array<{ close(): Promise<void> }>;
}

/** Opening, logging in to and photographing the dashboard of `site`. */
export function dashboardPages(site: DashboardSite) {
  return {
    /**
     * The dashboard in a fresh browser profile. `localhost` rather than
     * 127.0.0.1: browsers keep Secure cookies for it over plain HTTP.
     */
    async openDashboard(width = 1100): Promise<Page> {
      const context = await site.browser().newContext({ viewport: { width, height: 760 } });
      site.opened.push(context);
      const page = await context.newPage();
      page.on("pageerror", (error) => {
        throw error;
      });
      await page.goto(`http://localhost:${site.server().port}/dashboard`);
      return page;
    },

    async logInWithToken(page: Page, token = site.token): Promise<void> {
      await page.getByLabel("Dashboard token").fill(token);
      await page.getByRole("button", { name: "Log in" }).click();
    },

    async logInAsApp(page: Page, credentials: { key: string; secret: string }): Promise<void> {
      await page.getByLabel("an app's key and secret").check();
      await page.getByLabel("App key").fill(credentials.key);
      await page.getByLabel("App secret").fill(credentials.secret);
      await page.getByRole("button", { name: "Log in" }).click();
    },

    /** A page of the app with pusher-js connected to the server's first app, signed in as `user`. */
    async appTab(user: string): Promise<Tab> {
      const tab = await Tab.open(site.browser(), `${site.appOrigin()}/?user=${user}`);
      site.opened.push(tab);
      await tab.run(connectPusher(site.server()));
      await tab.next("connected");
      return tab;
    },

    shot(page: Page, name: string): Promise<Buffer> {
      return page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
    },
  };
}
