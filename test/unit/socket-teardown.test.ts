import { afterEach, describe, expect, it, vi } from "vitest";
import { Connection } from "../../src/beacon/state/connection";
import { closeAnswerFor, isTeardownError, NO_CODE } from "../../src/beacon/state/socket-teardown";

const [CONNECTING, OPEN, CLOSING, CLOSED] = [0, 1, 2, 3];
const SEND_AFTER_CLOSE = "Can't call WebSocket send() after close().";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("answering a client's close", () => {
  it("echoes a code the client sent", () => {
    for (const code of [1000, 1001, 1002, 1011, 3000, 4000, 4999]) expect(closeAnswerFor(code)).toBe(code);
  });

  it("answers a close frame that carried no code (1005) with one that carries none either", () => {
    expect(closeAnswerFor(1005)).toBe(NO_CODE);
  });

  it("does not answer a connection that dropped (1006) or failed TLS (1015): nobody is left", () => {
    for (const code of [1006, 1015]) expect(closeAnswerFor(code)).toBeUndefined();
  });
});

describe("telling a socket's teardown from a failure", () => {
  it("counts a lost peer, or a call after close, on a closing or closed socket as teardown", () => {
    for (const state of [CLOSING, CLOSED]) {
      expect(isTeardownError(state, new Error("Network connection lost."))).toBe(true);
      expect(isTeardownError(state, new Error("WebSocket peer disconnected"))).toBe(true);
      expect(isTeardownError(state, new TypeError(SEND_AFTER_CLOSE))).toBe(true);
    }
  });

  it("trusts the runtime's retryable mark whatever the wording", () => {
    expect(isTeardownError(CLOSED, Object.assign(new Error("something new"), { retryable: true }))).toBe(true);
    expect(isTeardownError(CLOSED, { retryable: true, message: "plain object" })).toBe(true);
  });

  it("counts any error on a socket still connecting or open as a failure", () => {
    for (const state of [CONNECTING, OPEN, undefined]) {
      expect(isTeardownError(state, new Error("Network connection lost."))).toBe(false);
      expect(isTeardownError(state, Object.assign(new Error("x"), { retryable: true }))).toBe(false);
    }
  });

  it("counts other errors, and anything that is not an error object, as failures", () => {
    expect(isTeardownError(CLOSED, new Error("handler threw"))).toBe(false);
    expect(isTeardownError(CLOSED, { retryable: false, message: "Network failure" })).toBe(false);
    expect(isTeardownError(CLOSED, "Network connection lost.")).toBe(false);
    expect(isTeardownError(CLOSED, null)).toBe(false);
    expect(isTeardownError(CLOSED, undefined)).toBe(false);
  });
});

describe("a failed send", () => {
  /** A socket whose send throws `error` while in `readyState`. */
  function failingSocket(readyState: number, error: Error): Connection {
    const ws = {
      readyState,
      send: () => {
        throw error;
      },
    };
    return new Connection(ws as unknown as WebSocket, { v: 2, socketId: "7.7", key: "k", connectedAt: 0 });
  }

  it("is logged at debug when the socket went away, and never stops the caller", () => {
    const debug = vi.spyOn(console, "debug").mockImplementation(() => undefined);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    failingSocket(CLOSED, new TypeError(SEND_AFTER_CLOSE)).send("{}");
    expect(debug.mock.calls.map(([line]) => JSON.parse(String(line)))).toEqual([
      { level: "debug", message: "send failed", socket: "7.7", error: `TypeError: ${SEND_AFTER_CLOSE}` },
    ]);
    expect(warn).not.toHaveBeenCalled();
  });

  it("is a warning when the socket is open", () => {
    const debug = vi.spyOn(console, "debug").mockImplementation(() => undefined);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    failingSocket(OPEN, new RangeError("frame too large")).send("{}");
    expect(warn.mock.calls.map(([line]) => JSON.parse(String(line)))).toEqual([
      { level: "warn", message: "send failed", socket: "7.7", error: "RangeError: frame too large" },
    ]);
    expect(debug).not.toHaveBeenCalled();
  });
});
