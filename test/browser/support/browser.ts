import { type Browser, chromium, type Page } from "playwright-core";
import { inject } from "vitest";
import { type ChromiumInstall, chromiumEnv } from "./chromium";

/**
 * The Chromium the tier's global setup found (`CHROMIUM_PATH`, or the one from
 * `@sparticuz/chromium`), or `install` for a project without that setup.
 */
export async function launchChromium(install: ChromiumInstall = inject("chromium")): Promise<Browser> {
  return chromium.launch({
    executablePath: install.executablePath,
    env: chromiumEnv(install),
    headless: true,
    // The package's own recommended flags are for serverless hosts: --single-process
    // stalls Playwright's launch, and --disable-web-security would hide CORS behaviour.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

export interface Report {
  kind: string;
  data: unknown;
}

/**
 * One browser tab of the app. Page code calls `report(kind, data)` for what a
 * user would see; the test awaits those reports in order, with a timeout.
 */
export class Tab {
  private readonly reports: Report[] = [];
  private waiters: Array<() => void> = [];

  private constructor(readonly page: Page) {}

  static async open(browser: Browser, url: string): Promise<Tab> {
    const context = await browser.newContext();
    const page = await context.newPage();
    const tab = new Tab(page);
    await page.exposeFunction("report", (kind: string, data: unknown) => tab.record({ kind, data }));
    page.on("pageerror", (error) => tab.record({ kind: "pageerror", data: error.message }));
    // Guide snippets show results with console.log, as a developer trying them would.
    // Reading the arguments is asynchronous: chain the reads so logs are recorded in order.
    let logs = Promise.resolve();
    page.on("console", (message) => {
      if (message.type() !== "log") return;
      const args = Promise.all(message.args().map((arg) => arg.jsonValue()));
      logs = logs.then(() =>
        args.then(
          (values) => tab.record({ kind: "console", data: values }),
          () => tab.record({ kind: "console", data: [message.text()] }),
        ),
      );
    });
    await page.goto(url);
    return tab;
  }

  /** Runs `code` as a module in the page (so it may `import` and `await`). */
  async run(code: string): Promise<void> {
    await this.page.addScriptTag({ type: "module", content: code });
  }

  /** The next report of `kind` (optionally matching), consumed so each is seen once. */
  next(kind: string, matches: (data: unknown) => boolean = () => true, ms = 10_000): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => finish(() => reject(new Error(`timed out waiting for the page to report ${kind}`))),
        ms,
      );
      let settled = false;
      const finish = (settle: () => void) => {
        settled = true;
        clearTimeout(timer);
        settle();
      };
      const look = () => {
        if (settled) return;
        const index = this.reports.findIndex((report) => report.kind === kind && matches(report.data));
        const found = index >= 0 ? this.reports.splice(index, 1)[0] : undefined;
        if (found !== undefined) return finish(() => resolve(found.data));
        const error = this.reports.find((report) => report.kind === "pageerror");
        if (error !== undefined) return finish(() => reject(new Error(`page error: ${String(error.data)}`)));
        this.waiters.push(look);
      };
      look();
    });
  }

  /** Every report of `kind` not yet consumed by `next`. */
  seen(kind: string): unknown[] {
    return this.reports.filter((report) => report.kind === kind).map((report) => report.data);
  }

  close(): Promise<void> {
    return this.page.context().close();
  }

  private record(report: Report): void {
    this.reports.push(report);
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
