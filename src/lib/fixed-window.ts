/** What one take from a window decided. */
export interface WindowTake {
  readonly allowed: boolean;
  /** This take opened a new window. */
  readonly opened: boolean;
  /** The first refusal of its window: the one worth logging, so a flood cannot flood the logs. */
  readonly firstRefusal: boolean;
  /** Milliseconds until the window ends and its points are free again. */
  readonly retryAfterMs: number;
}

/**
 * A count of points per fixed window of time: the window opens with the
 * first take after the previous one ended. Cheap (two numbers), which is
 * what a limit that runs on every request needs; its edge lets a burst
 * straddling two windows have up to twice the limit, which every limit
 * here tolerates.
 */
export class FixedWindow {
  private startedAt = Number.NEGATIVE_INFINITY;
  private used = 0;
  private refusals = 0;

  constructor(private readonly lengthMs: number) {}

  take(points: number, limit: number, now: number): WindowTake {
    const opened = this.expired(now);
    if (opened) {
      this.startedAt = now;
      this.used = 0;
      this.refusals = 0;
    }
    const retryAfterMs = this.startedAt + this.lengthMs - now;
    if (this.used + points <= limit) {
      this.used += points;
      return { allowed: true, opened, firstRefusal: false, retryAfterMs };
    }
    this.refusals++;
    return { allowed: false, opened, firstRefusal: this.refusals === 1, retryAfterMs };
  }

  /** Whether a take of `points` at `now` would be refused, without taking any. */
  full(points: number, limit: number, now: number): boolean {
    return !this.expired(now) && this.used + points > limit;
  }

  /** A window whose time is over holds nothing worth keeping. */
  expired(now: number): boolean {
    return now - this.startedAt >= this.lengthMs;
  }
}
