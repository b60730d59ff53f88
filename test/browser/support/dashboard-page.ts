import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { backend } from "../../e2e/support/clients";
import { type ServerInfo, startServer } from "../../e2e/support/server";
import { AppServer } from "./app-server";
import { launchChromium, Tab } from "./browser";
import { about, connectPusher } from "./page-code";

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

type Credentials = { id: string; key: string; secret: string };

/**
 * A test file's dashboard: a `wrangler dev` serving `apps` with the token, a
 * Chromium, and the web app whose pages connect pusher-js to the first app
 * (as `first`). Tabs opened through it are closed after each test.
 */
export class DashboardSite {
  /** The tabs and profiles to close after the test; a test that closes one itself takes it out. */
  readonly opened: Array<{ close(): Promise<void> }> = [];
  private started: { server: Awaited<ReturnType<typeof startServer>>; browser: Browser; app: AppServer } | undefined;

  constructor(
    private readonly token: string,
    private readonly first: Credentials,
  ) {}

  async start(apps: ReadonlyArray<Credentials & Record<string, unknown>>): Promise<void> {
    const server = await startServer(
      ["--var", `APPS:${JSON.stringify(apps)}`, "--var", `DASHBOARD_TOKEN:${this.token}`],
      { appId: this.first.id, key: this.first.key, secret: this.first.secret },
    );
    const browser = await launchChromium();
    const userInfo = (id: string) => ({ name: id[0]?.toUpperCase() + id.slice(1) });
    const app = await AppServer.start({ sdk: backend(server.info), userInfo });
    this.started = { server, browser, app };
  }

  async stop(): Promise<void> {
    const started = this.started;
    await Promise.all([started?.browser.close(), started?.app.close(), started?.server.stop()]);
  }

  async closePages(): Promise<void> {
    await Promise.all(this.opened.splice(0).map((page) => page.close()));
  }

  /** Where the server listens, and its first app. */
  get server(): ServerInfo {
    return this.running().server.info;
  }

  /**
   * The dashboard in a fresh browser profile. `localhost` rather than
   * 127.0.0.1: browsers keep Secure cookies for it over plain HTTP.
   */
  readonly openDashboard = async (width = 1100): Promise<Page> => {
    const context = await this.running().browser.newContext({ viewport: { width, height: 760 } });
    this.opened.push(context);
    const page = await context.newPage();
    page.on("pageerror", (error) => {
      throw error;
    });
    await page.goto(`http://localhost:${this.server.port}/dashboard`);
    return page;
  };

  readonly logInWithToken = async (page: Page, token = this.token): Promise<void> => {
    await page.getByLabel("Dashboard token").fill(token);
    await page.getByRole("button", { name: "Log in" }).click();
  };

  readonly logInAsApp = async (page: Page, credentials: { key: string; secret: string }): Promise<void> => {
    await page.getByLabel("an app's key and secret").check();
    await page.getByLabel("App key").fill(credentials.key);
    await page.getByLabel("App secret").fill(credentials.secret);
    await page.getByRole("button", { name: "Log in" }).click();
  };

  /** A page of the web app with pusher-js connected to the first app, signed in as `user`. */
  readonly appTab = async (user: string): Promise<Tab> => {
    const { browser, app } = this.running();
    const tab = await Tab.open(browser, `${app.origin}/?user=${user}`);
    this.opened.push(tab);
    await tab.run(connectPusher(this.server));
    await tab.next("connected");
    return tab;
  };

  /** An app tab subscribed to `channel`, reporting `events` on it. */
  readonly subscribedTab = async (user: string, channel: string, events: readonly string[] = []): Promise<Tab> => {
    const tab = await this.appTab(user);
    await tab.run(`watch(${JSON.stringify(channel)}, ${JSON.stringify(events)});`);
    await tab.next("subscribed", about(channel));
    return tab;
  };

  readonly shot = (page: Page, name: string): Promise<Buffer> =>
    page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  private running() {
    if (this.started === undefined) throw new Error("the dashboard's server is not started: call start() in beforeAll");
    return this.started;
  }
}
