import { SELF } from "cloudflare:test";
import { expect } from "vitest";

export const APP_KEY = "sower-key";
export const APP_ID = "sower";
export const APP_SECRET = "integration-secret-0123456789";

export interface Frame {
  event: string;
  channel?: string;
  data?: unknown;
  user_id?: string;
  /** A history channel's event (docs/history.md). */
  serial?: number;
}

/**
 * A raw protocol client inside the runtime: every frame the server sends is
 * queued and awaited with a timeout, so tests assert the exact wire format.
 */
export class TestSocket {
  private readonly queue: Frame[] = [];
  private waiters: Array<() => void> = [];
  closed: { code: number; reason: string } | undefined;

  constructor(readonly ws: WebSocket) {
    ws.addEventListener("message", (event) => {
      this.queue.push(JSON.parse(String(event.data)) as Frame);
      this.wake();
    });
    ws.addEventListener("close", (event) => {
      this.closed = { code: event.code, reason: event.reason };
      this.wake();
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** Resolves when a frame or the close arrives, or after `ms`, whichever is first. */
  private changeOrTimeout(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** The next frame, or a failure after `timeoutMs`. */
  async next(timeoutMs = 2000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length === 0) {
      if (this.closed) throw new Error(`socket closed (${this.closed.code}) while waiting for a frame`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("timed out waiting for a frame");
      await this.changeOrTimeout(left);
    }
    return this.queue.shift() as Frame;
  }

  /** Skips frames until one with this event arrives. */
  async nextEvent(event: string, timeoutMs = 2000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = await this.next(Math.max(1, deadline - Date.now()));
      if (frame.event === event) return frame;
    }
  }

  /**
   * Proves nothing else arrived: a ping round trip is ordered after
   * everything the server sent before it.
   */
  async expectSilence(): Promise<void> {
    this.send({ event: "pusher:ping" });
    const frame = await this.next();
    expect(frame).toEqual({ event: "pusher:pong", data: "{}" });
  }

  async waitClosed(timeoutMs = 2000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("timed out waiting for close");
      await this.changeOrTimeout(left);
    }
    return this.closed;
  }

  socketId = "";
}

/** The path pusher-js connects to for an app key. */
export function appPath(key: string): string {
  return `/app/${key}?protocol=7&client=js&version=8.6.0&flash=false`;
}

/** Opens a socket on `path`, with extra request headers such as Origin. */
export async function openSocket(path = appPath(APP_KEY), headers: Record<string, string> = {}): Promise<TestSocket> {
  const response = await SELF.fetch(`http://sower.test${path}`, { headers: { Upgrade: "websocket", ...headers } });
  const ws = response.webSocket;
  if (ws === null) throw new Error(`no WebSocket: HTTP ${response.status}`);
  ws.accept();
  return new TestSocket(ws);
}

/** Opens a socket and consumes `pusher:connection_established`. */
export async function connect(path = appPath(APP_KEY), headers: Record<string, string> = {}): Promise<TestSocket> {
  const socket = await openSocket(path, headers);
  const established = await socket.next();
  expect(established.event).toBe("pusher:connection_established");
  const data = JSON.parse(String(established.data)) as { socket_id: string };
  socket.socketId = data.socket_id;
  return socket;
}

/** Asserts the exact refusal a client sees: one `pusher:error` frame, then a close with the same code. */
export async function expectRefused(socket: TestSocket, code: number, message: string | RegExp): Promise<void> {
  expect(await socket.next()).toEqual({
    event: "pusher:error",
    data: { code, message: typeof message === "string" ? message : expect.stringMatching(message) },
  });
  expect((await socket.waitClosed()).code).toBe(code);
}
