import { describe, expect, it } from "vitest";
import { Connection } from "../../src/beacon/state/connection";

/** The queue never touches the socket, so a bare stand-in does. */
function connection(): Connection {
  return new Connection({} as WebSocket, { v: 2, socketId: "1.1", key: "k", connectedAt: 0 });
}

function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

describe("a socket's frame queue", () => {
  it("runs a frame at once, and returns nothing, when none is in flight", () => {
    const socket = connection();
    const ran: string[] = [];
    expect(socket.inOrder(() => void ran.push("first"))).toBeUndefined();
    expect(ran).toEqual(["first"]);
  });

  it("holds later frames, waiting or not, until a waiting frame has finished", async () => {
    const socket = connection();
    const ran: string[] = [];
    const wait = deferred();
    const first = socket.inOrder(() => wait.promise.then(() => void ran.push("signed subscribe")));
    const second = socket.inOrder(() => void ran.push("client event"));
    expect(first).toBeInstanceOf(Promise);
    expect(second).toBeInstanceOf(Promise);
    await Promise.resolve();
    expect(ran).toEqual([]);
    wait.resolve();
    await second;
    expect(ran).toEqual(["signed subscribe", "client event"]);
    // Nothing in flight any more: the next frame runs at once again.
    expect(socket.inOrder(() => void ran.push("unsubscribe"))).toBeUndefined();
    expect(ran).toEqual(["signed subscribe", "client event", "unsubscribe"]);
  });

  it("throws a synchronous failure to the caller and keeps serving the socket", () => {
    const socket = connection();
    expect(() =>
      socket.inOrder(() => {
        throw new Error("broken frame");
      }),
    ).toThrow("broken frame");
    expect(socket.inOrder(() => undefined)).toBeUndefined();
  });

  it("rejects with a waiting frame's failure and still runs the frames behind it", async () => {
    const socket = connection();
    const wait = deferred();
    const ran: string[] = [];
    const failing = socket.inOrder(() => wait.promise);
    const behind = socket.inOrder(() => void ran.push("behind"));
    wait.reject(new Error("crypto failed"));
    await expect(failing).rejects.toThrow("crypto failed");
    await behind;
    expect(ran).toEqual(["behind"]);
    expect(socket.inOrder(() => undefined)).toBeUndefined();
  });
});
