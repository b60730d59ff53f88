import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Store, SubscriptionChange, SubscriptionRow } from "../../src/beacon/state/store";
import { SubscriptionRows } from "../../src/beacon/state/subscription-rows";

/** Records each batch it is asked to write; `failNext` makes the next one throw, as a broken database would. */
class RecordingStore {
  readonly batches: SubscriptionChange[][] = [];
  failNext = false;

  applySubscriptionChanges(changes: readonly SubscriptionChange[]): void {
    if (this.failNext) {
      this.failNext = false;
      throw new Error("disk I/O error");
    }
    this.batches.push([...changes]);
  }

  allSubscriptions(): SubscriptionRow[] {
    return this.batches.flat().flatMap((change) => (change.kind === "add" ? [change.row] : []));
  }
}

const row = (socketId: string, channel: string): SubscriptionRow => ({
  socketId,
  channel,
  userId: null,
  userInfo: null,
});

let store: RecordingStore;
let failures: Array<{ error: unknown; changes: number }>;
let rows: SubscriptionRows;

beforeEach(() => {
  vi.useFakeTimers();
  store = new RecordingStore();
  failures = [];
  rows = new SubscriptionRows(store as unknown as Store, (error, changes) => failures.push({ error, changes }));
});
afterEach(() => {
  vi.useRealTimers();
});

describe("subscription rows written behind", () => {
  it("writes nothing while the caller's step runs, then a whole burst as one batch, in order", () => {
    rows.add(row("1.1", "a"));
    rows.add(row("1.2", "a"));
    rows.remove("1.1", "a");
    rows.removeSocket("1.2");
    expect(store.batches).toEqual([]);
    vi.advanceTimersByTime(0);
    expect(store.batches).toEqual([
      [
        { kind: "add", row: row("1.1", "a") },
        { kind: "add", row: row("1.2", "a") },
        { kind: "remove", socketId: "1.1", channel: "a" },
        { kind: "remove-socket", socketId: "1.2" },
      ],
    ]);
  });

  it("writes at once when settled, and leaves no timer behind to write again", () => {
    rows.add(row("2.1", "b"));
    rows.settle();
    expect(store.batches).toEqual([[{ kind: "add", row: row("2.1", "b") }]]);
    expect(vi.getTimerCount()).toBe(0);
    rows.settle();
    expect(store.batches).toHaveLength(1);
  });

  it("sets no timer when nothing changed", () => {
    rows.settle();
    expect(vi.getTimerCount()).toBe(0);
    expect(store.batches).toEqual([]);
  });

  it("settles pending changes before reading the rows", () => {
    rows.add(row("3.1", "c"));
    expect(rows.all()).toEqual([row("3.1", "c")]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("reports a batch that could not be written, with its size, and writes the next one", () => {
    rows.add(row("4.1", "d"));
    rows.add(row("4.2", "d"));
    store.failNext = true;
    vi.advanceTimersByTime(0);
    expect(failures).toEqual([{ error: new Error("disk I/O error"), changes: 2 }]);
    rows.add(row("4.3", "d"));
    vi.advanceTimersByTime(0);
    expect(store.batches).toEqual([[{ kind: "add", row: row("4.3", "d") }]]);
  });
});
