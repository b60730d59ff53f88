/** A frame's fate: handled, the one that passes the ceiling (the socket is closed for it), or one after that. */
export type FrameVerdict = "within" | "over" | "closed";

export type ClientEventVerdict = "allowed" | "refused" | "first refusal";

const WINDOW_MS = 1000;

/**
 * What one socket may send, and be told, in a one-second window: frames of
 * any kind up to a ceiling, client events up to the app's rate, and a few
 * error frames. Pure counting; the Beacon decides what each verdict does
 * (docs/protocol.md §8.5). It lives in memory only: an object that
 * hibernated had been idle for seconds, so a fresh window loses nothing.
 */
export class SocketAllowance {
  private windowStartedAt = Number.NEGATIVE_INFINITY;
  private frames = 0;
  private clientEvents = 0;
  private refusals = 0;
  private errorFrames = 0;
  private closed = false;

  /**
   * Counts one frame of any kind, malformed ones too, so a flood of garbage
   * is refused as early as a flood of client events. "over" comes once, for
   * the frame past `ceiling`; every frame after it is "closed".
   */
  frame(ceiling: number, now: number): FrameVerdict {
    if (this.closed) return "closed";
    this.roll(now);
    this.frames++;
    if (this.frames <= ceiling) return "within";
    this.closed = true;
    return "over";
  }

  /** Refused client events do not spend the allowance; the first refusal of a window is told apart, for the log. */
  clientEvent(limit: number, now: number): ClientEventVerdict {
    this.roll(now);
    if (this.clientEvents >= limit) {
      this.refusals++;
      return this.refusals === 1 ? "first refusal" : "refused";
    }
    this.clientEvents++;
    return "allowed";
  }

  /**
   * Whether one more error frame may go out in this window. A client that
   * keeps sending what is refused, and does not read, must not make the
   * runtime buffer a refusal for each; past `limit` refusals are silent.
   */
  errorFrame(limit: number, now: number): boolean {
    this.roll(now);
    if (this.errorFrames >= limit) return false;
    this.errorFrames++;
    return true;
  }

  private roll(now: number): void {
    if (now - this.windowStartedAt < WINDOW_MS) return;
    this.windowStartedAt = now;
    this.frames = 0;
    this.clientEvents = 0;
    this.refusals = 0;
    this.errorFrames = 0;
  }
}
