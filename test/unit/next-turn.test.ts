import { describe, expect, it } from "vitest";
import { NextTurn } from "../../src/lib/next-turn";

describe("NextTurn", () => {
  it("runs the tasks handed over in one turn together, in order, after that turn", async () => {
    const turn = new NextTurn();
    const ran: string[] = [];
    const first = turn.run(() => {
      ran.push("first");
      // A microtask runs only once the synchronous run of every waiting task is over.
      queueMicrotask(() => ran.push("microtask of first"));
      return 1;
    });
    const second = turn.run(() => {
      ran.push("second");
      return 2;
    });
    ran.push("handed over");
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(ran).toEqual(["handed over", "first", "second", "microtask of first"]);
  });

  it("gives each caller its own result or error", async () => {
    const turn = new NextTurn();
    const failing = turn.run(() => {
      throw new Error("this task only");
    });
    const rejecting = turn.run(() => Promise.reject(new Error("this one too")));
    const fine = turn.run(() => Promise.resolve("fine"));
    await expect(failing).rejects.toThrow("this task only");
    await expect(rejecting).rejects.toThrow("this one too");
    expect(await fine).toBe("fine");
  });

  it("runs a task handed over while others run in a turn of its own", async () => {
    const turn = new NextTurn();
    const ran: string[] = [];
    let later: Promise<void> | undefined;
    await turn.run(() => {
      ran.push("first");
      later = turn.run(() => {
        ran.push("later");
      });
      ran.push("first, after handing over");
    });
    expect(ran).toEqual(["first", "first, after handing over"]);
    await later;
    expect(ran).toEqual(["first", "first, after handing over", "later"]);
  });
});
