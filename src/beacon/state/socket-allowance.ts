/** A frame's fate: handled, the one that passes the ceiling (the socket is closed for it), or one after that. */
export type FrameVerdict = "within" | "over" | "closed";

export type ClientEventVerdict = "allowed" | "refused" | "first refusal";

const WINDOW_MS = 1000;

/**
 * What one socket may send, and be told: frames of any kind up to a rate,
 * client events up to the app's rate in one-second windows, and a few error
 * frames a window. Pure counting; the Beacon decides what each verdict does
 * (docs/protocol.md §8.5). It lives in memory only: an object that
 * hibernated had been idle for seconds, so a fresh start loses nothing.
 */
export class SocketAllowance {
  private windowStartedAt = Number.NEGATIVE_INFINITY;
  private clientEvents = 0;
  private refusals = 0;
  private errorFrames = 0;
  /** Frames the socket may still send at once; it refills at `ceiling` a second, up to `ceiling`. */
  private credit = 0;
  private creditAt = Number.NEGATIVE_INFINITY;
  private closed = false;

  /**
   * Counts one frame of any kind, malformed ones too, so a flood of garbage
   * is refused as early as a flood of client events. A socket may send
   * `ceiling` frames at once and `ceiling` a second on average: a bucket
   * rather than a window, so a steady sender below the rate is never closed
   * by frames that arrive bunched after a pause. "over" comes once, for the
   * frame that finds the bucket empty; every frame after it is "closed".
   */
  frame(ceiling: number, now: number): FrameVerdict {
    if (this.closed) return "closed";
    this.credit = Math.min(ceiling, this.credit + ((now - this.creditAt) * ceiling) / WINDOW_MS);
    this.creditAt = now;
    if (this.credit >= 1) {
      this.credit -= 1;
      return "within";
    }
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
    this.clientEvents = 0;
    this.refusals = 0;
    this.errorFrames = 0;
  }
}
