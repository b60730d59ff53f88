import { describe, expect, it } from "vitest";
import { CONSOLE_EVENTS_PER_SECOND, ConsoleFeed } from "../../src/beacon/state/console-feed";
import type { ConsoleEvent, ConsoleFrame } from "../../src/contract/console";

/** A console's socket that keeps what it is sent, or fails every send once `broken`. */
class FakeConsole {
  readonly frames: ConsoleFrame[] = [];
  broken = false;

  send(text: string): void {
    if (this.broken) throw new Error("WebSocket is closed");
    this.frames.push(JSON.parse(text));
  }
}

const event = (at: number, socket = "1.1"): ConsoleEvent => ({ kind: "connected", at, socket, origin: null });
const turn = () => new Promise<void>((resolve) => queueMicrotask(resolve));

describe("the console feed", () => {
  it("is closed without consoles and sends nothing", async () => {
    const feed = new ConsoleFeed([]);
    expect(feed.open).toBe(false);
    feed.emit(event(1000));
    const late = new FakeConsole();
    feed.add(late);
    await turn();
    expect(late.frames).toEqual([]);
  });

  it("sends one turn's events to every console as one frame", async () => {
    const [first, second] = [new FakeConsole(), new FakeConsole()];
    const feed = new ConsoleFeed([first, second]);
    expect(feed.open).toBe(true);
    feed.emit(event(1000, "1.1"));
    feed.emit(event(1001, "2.2"));
    await turn();
    const frame = { events: [event(1000, "1.1"), event(1001, "2.2")], dropped: 0 };
    expect(first.frames).toEqual([frame]);
    expect(second.frames).toEqual([frame]);
  });

  it("drops events past its rate in a second and says how many with the next frame", async () => {
    const watcher = new FakeConsole();
    const feed = new ConsoleFeed([watcher]);
    for (let i = 0; i < CONSOLE_EVENTS_PER_SECOND + 120; i++) feed.emit(event(5000 + (i % 900)));
    await turn();
    expect(watcher.frames).toHaveLength(1);
    expect(watcher.frames[0]?.events).toHaveLength(CONSOLE_EVENTS_PER_SECOND);
    expect(watcher.frames[0]?.dropped).toBe(120);
    // Still over the second's rate: nothing is sent, and the drops wait for the next frame.
    for (let i = 0; i < 7; i++) feed.emit(event(5950));
    await turn();
    expect(watcher.frames).toHaveLength(1);
    feed.emit(event(6000));
    await turn();
    expect(watcher.frames[1]).toEqual({ events: [event(6000)], dropped: 7 });
  });

  it("forgets a console whose socket fails, and closes when none is left", async () => {
    const [broken, fine] = [new FakeConsole(), new FakeConsole()];
    broken.broken = true;
    const feed = new ConsoleFeed([broken, fine]);
    feed.emit(event(1000));
    await turn();
    expect(fine.frames).toHaveLength(1);
    expect(feed.remove(broken)).toBe(false);
    expect(feed.remove(fine)).toBe(true);
    expect(feed.open).toBe(false);
  });
});
