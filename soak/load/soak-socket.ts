import WebSocket from "ws";
import { socketPath } from "../../bench/load/frames.ts";
import { EVENTS } from "../../src/protocol/constants.ts";
import type { ServerInfo } from "../../test/e2e/support/server.ts";

/** A frame as it arrives: `data` is left as sent (a JSON string for server events). */
export interface Frame {
  event: string;
  channel?: string;
  data?: unknown;
  user_id?: string;
}

export interface Closed {
  code: number;
  reason: string;
}

interface Waiter {
  matches: (frame: Frame) => boolean;
  resolve: (frame: Frame) => void;
}

const OPEN_TIMEOUT_MS = 30_000;

/** The answer code gives to a ping it sees; the runtime's own answer to pusher-js's ping has `data` as an object. */
const CODE_PING = JSON.stringify({ event: EVENTS.ping, data: "{}" });

/**
 * A raw Pusher socket for the campaign: it sends whatever it is given (text,
 * bytes that are not UTF-8, binary) and hands every frame to `onFrame`, so
 * each part of the campaign keeps its own books.
 */
export class SoakSocket {
  socketId = "";
  /** Resolves once the socket has closed, with the code the client saw. */
  readonly closed: Promise<Closed>;
  onFrame: (frame: Frame) => void = () => undefined;
  /** Set when a frame could not be parsed: the server must only ever send JSON. */
  unreadable = 0;
  private readonly waiters = new Set<Waiter>();
  private readonly ws: WebSocket;
  private closedWith: number | undefined;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    this.closed = new Promise((resolve) => {
      ws.once("close", (code, reason) => {
        this.closedWith = code;
        for (const waiter of this.waiters) waiter.resolve({ event: "(closed)", data: String(code) });
        this.waiters.clear();
        resolve({ code, reason: reason.toString() });
      });
    });
    ws.on("message", (raw, isBinary) => this.receive(raw.toString(), isBinary));
    // A refused or reset connection is reported by `closed`; the error itself says no more.
    ws.on("error", () => undefined);
  }

  /** Opens a socket and waits for `pusher:connection_established`; fails on a close or a time-out. */
  static open(server: Pick<ServerInfo, "host" | "port" | "key">, timeoutMs = OPEN_TIMEOUT_MS): Promise<SoakSocket> {
    const url = `ws://${server.host}:${server.port}${socketPath(server.key)}`;
    const socket = new SoakSocket(new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: timeoutMs }));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new Error("no connection_established in time"));
      }, timeoutMs);
      socket.closed.then(({ code }) => {
        clearTimeout(timer);
        reject(new Error(`closed ${code} before connection_established`));
      });
      // The time-out above decides; this wait may run out at the same moment and has nothing to add.
      socket
        .next((frame) => frame.event === EVENTS.connectionEstablished, timeoutMs + 1000)
        .then(
          (frame) => {
            clearTimeout(timer);
            if (frame.event !== EVENTS.connectionEstablished) return;
            const data = decodeData(frame);
            socket.socketId = isObject(data) && typeof data.socket_id === "string" ? data.socket_id : "";
            resolve(socket);
          },
          () => undefined,
        );
    });
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(text: string): void {
    if (this.isOpen) this.ws.send(text);
  }

  /** Sends bytes as they are: as a text frame (even when not valid UTF-8) or as a binary one. */
  sendBytes(bytes: Buffer, binary: boolean): void {
    if (this.isOpen) this.ws.send(bytes, { binary });
  }

  /** Resolves with the next frame that `matches` (or a "(closed)" frame once the socket has closed). */
  next(matches: (frame: Frame) => boolean, timeoutMs: number): Promise<Frame> {
    if (this.closedWith !== undefined) return Promise.resolve({ event: "(closed)", data: String(this.closedWith) });
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        matches,
        resolve: (frame) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(frame);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for a frame`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /**
   * Frames of one socket are handled in order, so once code answers this
   * ping, every frame sent before it has been handled. Resolves false if the
   * socket closed first.
   */
  async barrier(timeoutMs: number): Promise<boolean> {
    const pong = this.next((frame) => frame.event === EVENTS.pong, timeoutMs);
    this.send(CODE_PING);
    return (await pong).event === EVENTS.pong;
  }

  close(code = 1000): void {
    if (this.isOpen) this.ws.close(code);
  }

  terminate(): void {
    this.ws.terminate();
  }

  private receive(text: string, isBinary: boolean): void {
    const frame = isBinary ? undefined : readFrame(text);
    if (frame === undefined) {
      this.unreadable++;
      return;
    }
    this.onFrame(frame);
    for (const waiter of this.waiters) if (waiter.matches(frame)) waiter.resolve(frame);
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readFrame(text: string): Frame | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(parsed) || typeof parsed.event !== "string") return undefined;
  const { event, channel, data, user_id: userId } = parsed;
  return {
    event,
    data,
    ...(typeof channel === "string" ? { channel } : {}),
    ...(typeof userId === "string" ? { user_id: userId } : {}),
  };
}

/** A server frame's `data`, decoded from the JSON string it travels as (left as it is when it is not JSON). */
export function decodeData(frame: Frame): unknown {
  if (typeof frame.data !== "string") return frame.data;
  try {
    return JSON.parse(frame.data);
  } catch {
    return frame.data;
  }
}
