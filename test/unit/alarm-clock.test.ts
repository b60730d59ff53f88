import { describe, expect, it } from "vitest";
import { AlarmClock, type AlarmContext, type TimedWork } from "../../src/beacon/alarms/alarm-clock";

/** The two storage calls the clock makes, recorded. */
function fakeStorage() {
  const calls: Array<number | "delete"> = [];
  const storage = {
    setAlarm: async (time: number) => {
      calls.push(time);
    },
    deleteAlarm: async () => {
      calls.push("delete");
    },
  };
  return { calls, storage: storage as unknown as DurableObjectStorage };
}

function work(name: string, due: { at: number | undefined }, run: () => void = () => {}): TimedWork<AlarmContext> {
  return { name, nextDueAt: () => due.at, run: async () => run() };
}

const context: AlarmContext = { app: { id: "app" } };

describe("AlarmClock", () => {
  it("arms for the earliest due time across every kind of work", () => {
    const { calls, storage } = fakeStorage();
    const clock = new AlarmClock(storage, [
      work("a", { at: 5000 }),
      work("b", { at: 3000 }),
      work("c", { at: undefined }),
    ]);
    clock.reschedule();
    expect(calls).toEqual([3000]);
  });

  it("writes nothing when the alarm already rings early enough", () => {
    const { calls, storage } = fakeStorage();
    const due = { at: 3000 as number | undefined };
    const clock = new AlarmClock(storage, [work("a", due)]);
    clock.reschedule();
    clock.wake(4000);
    clock.reschedule();
    expect(calls).toEqual([3000]);
    due.at = 2000;
    clock.wake(2000);
    expect(calls).toEqual([3000, 2000]);
  });

  it("clears an alarm it set once no work is left, so the object can sleep", () => {
    const { calls, storage } = fakeStorage();
    const due = { at: 3000 as number | undefined };
    const clock = new AlarmClock(storage, [work("a", due)]);
    clock.reschedule();
    due.at = undefined;
    clock.reschedule();
    expect(calls).toEqual([3000, "delete"]);
  });

  it("runs every kind when it rings, even after one fails, and re-arms no sooner than a pause", async () => {
    const { calls, storage } = fakeStorage();
    const ran: string[] = [];
    const due = { at: 0 as number | undefined };
    const failing: TimedWork<AlarmContext> = {
      name: "failing",
      nextDueAt: () => due.at,
      run: async () => {
        ran.push("failing");
        throw new Error("boom");
      },
    };
    const clock = new AlarmClock(storage, [failing, work("b", { at: undefined }, () => ran.push("b"))]);
    const before = Date.now();
    await clock.ring(context);
    expect(ran).toEqual(["failing", "b"]);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toBeGreaterThanOrEqual(before + 5000);
  });
});
