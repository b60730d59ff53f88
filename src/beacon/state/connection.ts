import { utf8Length } from "../../lib/text";
import { log } from "../../log";
import { LIMITS } from "../../protocol/constants";
import type { SocketError } from "../../protocol/errors";
import { errorFrame } from "../../protocol/server-frames";
import { type SocketAttachment, writeAttachment } from "./attachment";
import { type ClientEventVerdict, type FrameVerdict, SocketAllowance } from "./socket-allowance";
import { isTeardownError } from "./socket-teardown";

/** What a frame handler returns: nothing, or a promise when it had to wait. */
export type Handled = void | Promise<void>;

/** One live socket and what the Beacon knows about it while awake. */
export class Connection {
  /** Subscribed channels, each with the socket's presence user id (null elsewhere). */
  readonly channels = new Map<string, string | null>();
  /** The last frame still being handled asynchronously; later frames wait for it. */
  private inFlight: Promise<void> | undefined;
  private readonly allowance = new SocketAllowance();

  constructor(
    readonly ws: WebSocket,
    private attachment: SocketAttachment,
  ) {}

  get id(): string {
    return this.attachment.socketId;
  }

  /** The app key the socket connected with. */
  get key(): string {
    return this.attachment.key;
  }

  get userId(): string | undefined {
    return this.attachment.userId;
  }

  /**
   * Sending to a socket that is already closing throws; its close handler
   * does the clean-up, so a fan-out loop must not stop for it.
   */
  send(frame: string): void {
    try {
      this.ws.send(frame);
    } catch (error) {
      this.sendFailed(error);
    }
  }

  /**
   * A refusal the socket is told about, unless this second's few error frames
   * are spent (LIMITS.errorFramesPerSecond); then it is refused silently.
   */
  refuse(error: Pick<SocketError, "code" | "message">, now: number): void {
    if (this.allowance.errorFrame(LIMITS.errorFramesPerSecond, now)) this.send(errorFrame(error));
  }

  /** A socket that went mid-send is expected (debug); any other failure to send is a warning. */
  private sendFailed(error: unknown): void {
    const level = isTeardownError(this.ws.readyState, error) ? "debug" : "warn";
    log(level, "send failed", { socket: this.id, error: String(error) });
  }

  close(code: number, reason: string): void {
    try {
      this.ws.close(code, closeReason(reason));
    } catch {
      // Already closed.
    }
  }

  /**
   * Runs the socket's frames one after another. A few handlers await Web
   * Crypto, and the runtime may deliver the next frame meanwhile; without
   * this a quick subscribe-then-unsubscribe could be applied in the wrong
   * order. Most frames need no wait, and when nothing is in flight they run
   * at once and return nothing: an event handler that returns a promise
   * cost a client event about a quarter more CPU (see bench/RESULTS.md).
   * A synchronous throw reaches the caller as a throw, an asynchronous one
   * as the returned promise's rejection.
   */
  inOrder(task: () => Handled): Handled {
    if (this.inFlight === undefined) {
      const result = task();
      return result instanceof Promise ? this.holdUntilSettled(result) : undefined;
    }
    return this.holdUntilSettled(this.inFlight.then(task));
  }

  private holdUntilSettled(run: Promise<void>): Promise<void> {
    const settled: Promise<void> = run.then(
      () => this.release(settled),
      () => this.release(settled),
    );
    this.inFlight = settled;
    return run;
  }

  private release(settled: Promise<void>): void {
    if (this.inFlight === settled) this.inFlight = undefined;
  }

  signIn(userId: string): void {
    this.attachment = { ...this.attachment, userId };
    writeAttachment(this.ws, this.attachment);
  }

  /** Every frame the socket sends is counted here first (see SocketAllowance). */
  countFrame(ceiling: number, now: number): FrameVerdict {
    return this.allowance.frame(ceiling, now);
  }

  allowClientEvent(limitPerSecond: number, now: number): ClientEventVerdict {
    return this.allowance.clientEvent(limitPerSecond, now);
  }
}

/** A close reason may be at most 123 UTF-8 bytes; longer ones make close() throw. */
function closeReason(reason: string): string {
  let clipped = reason;
  while (utf8Length(clipped) > 123) clipped = clipped.slice(0, -1);
  return clipped;
}
