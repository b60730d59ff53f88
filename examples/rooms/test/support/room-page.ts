import type { Browser } from "playwright-core";
import { Tab } from "../../../../test/browser/support/browser";

/**
 * One person on the rooms page in Chromium, driven through its form as they
 * would, and read as they would read it. Every WebSocket frame the page's
 * pusher-js receives is recorded, to check what reached this browser at all.
 */
export class RoomPage {
  /** Text of every frame Sower sent this tab, in order. */
  readonly received: string[] = [];

  private constructor(private readonly tab: Tab) {
    tab.page.on("websocket", (socket) => {
      socket.on("framereceived", ({ payload }) => {
        this.received.push(String(payload));
      });
    });
  }

  static async open(browser: Browser, origin: string): Promise<RoomPage> {
    return new RoomPage(await Tab.open(browser, origin));
  }

  get page() {
    return this.tab.page;
  }

  /** Joins with `profile` (`name=value` lines) and waits until the room's roster, with this member in it, shows. */
  async join(room: string, profile: string, adminPassword = ""): Promise<void> {
    await this.page.fill("#join-room", room);
    await this.page.fill("#join-profile", profile);
    await this.page.fill("#join-admin", adminPassword);
    await this.page.click("#join");
    await this.page.locator("#members li", { hasText: "— you" }).waitFor();
  }

  /** The page's own profile view: what "Show my profile" displays. */
  async myProfile(): Promise<{
    id: string;
    admin: boolean;
    profile: Record<string, string>;
    location: { country: string | null; city: string | null };
  }> {
    await this.page.click("#show-me");
    await this.page.locator("#me", { hasText: '"id"' }).waitFor();
    return JSON.parse(await this.text("#me"));
  }

  async changeProfile(changes: string): Promise<void> {
    await this.page.fill("#profile-changes", changes);
    await this.page.click("#save-profile");
    // The page empties the field once the backend has taken the changes.
    await this.page.waitForFunction('document.querySelector("#profile-changes").value === ""');
  }

  async submit(input: string, value: string, button: string): Promise<void> {
    await this.page.fill(input, value);
    await this.page.click(button);
  }

  async vote(poll: string, option: string, ephemeral = false): Promise<void> {
    await this.page.fill("#vote-poll", poll);
    await this.page.fill("#vote-option", option);
    await this.page.setChecked("#vote-ephemeral", ephemeral);
    await this.page.click("#vote");
  }

  /** A poll's counts as shown: option to count, read in one go since the page redraws the list on each change. */
  async tally(poll: string): Promise<Record<string, number>> {
    const options = JSON.stringify(`[data-poll=${JSON.stringify(poll)}] [data-option]`);
    const shown: unknown = await this.page.evaluate(
      `[...document.querySelectorAll(${options})].map((item) => [item.dataset.option, Number(item.dataset.count)])`,
    );
    if (!Array.isArray(shown)) throw new Error("the page's tally did not read as a list");
    return Object.fromEntries(
      shown.map((entry: unknown) => {
        if (!Array.isArray(entry) || typeof entry[0] !== "string" || typeof entry[1] !== "number") {
          throw new Error(`a tally line reads as ${JSON.stringify(entry)}`);
        }
        return [entry[0], entry[1]];
      }),
    );
  }

  async changeCounter(counter: string, amount: number, button: "#increment" | "#decrement"): Promise<void> {
    await this.page.fill("#counter-name", counter);
    await this.page.fill("#counter-amount", String(amount));
    await this.page.click(button);
  }

  /** A counter's value as shown, or undefined while it shows none. */
  async counter(name: string): Promise<number | undefined> {
    const item = this.page.locator(`[data-counter=${JSON.stringify(name)}]`);
    if ((await item.count()) === 0) return undefined;
    return Number(await item.getAttribute("data-value"));
  }

  /** The lines of a list (`#chat`, `#announcements`, `#admin-inbox`, `#members`). */
  lines(list: string): Promise<string[]> {
    return this.page.locator(`${list} li`).allTextContents();
  }

  async text(selector: string): Promise<string> {
    return (await this.page.textContent(selector)) ?? "";
  }

  /** Whether any frame this tab received contains `text`. */
  heard(text: string): boolean {
    return this.received.some((frame) => frame.includes(text));
  }

  /** Tries to subscribe to `channel` from the page's pusher-js and reports how that ended. */
  trySubscribe(channel: string): Promise<string> {
    // A string, as a person would type it into the browser console: the page exposes `window.pusher` for that.
    return this.page.evaluate(`new Promise((resolve) => {
      const subscription = window.pusher.subscribe(${JSON.stringify(channel)});
      subscription.bind("pusher:subscription_succeeded", () => resolve("subscribed"));
      subscription.bind("pusher:subscription_error", (error) => resolve("refused " + error.status));
    })`);
  }

  pageErrors(): unknown[] {
    return this.tab.seen("pageerror");
  }

  close(): Promise<void> {
    return this.tab.close();
  }
}
