import type { AppLimits } from "../../config/app";

/** What the REST API is metered on, as soketi meters it (points per second, per app). */
export type RateKind = "backendEvents" | "readRequests";

const NAMES: Record<RateKind, string> = { backendEvents: "backend events", readRequests: "read requests" };

export type RateVerdict =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly message: string;
      readonly limit: number;
      /** Only the first refusal of each second is logged, so a flood cannot flood the logs. */
      readonly firstInWindow: boolean;
    };

/**
 * A one-second window per kind. It lives in the app's Beacon, which every
 * REST call reaches through its one RPC, so the count is exact however many
 * Worker isolates the calls came through. It is in memory only: an object
 * that was evicted had been idle, so a fresh window loses nothing.
 */
class Window {
  private startedAt = 0;
  private used = 0;
  private refusals = 0;

  take(points: number, limit: number, now: number): { allowed: boolean; firstRefusal: boolean } {
    if (now - this.startedAt >= 1000) {
      this.startedAt = now;
      this.used = 0;
      this.refusals = 0;
    }
    if (this.used + points <= limit) {
      this.used += points;
      return { allowed: true, firstRefusal: false };
    }
    this.refusals++;
    return { allowed: false, firstRefusal: this.refusals === 1 };
  }
}

export class RateLimits {
  private readonly windows: Record<RateKind, Window> = { backendEvents: new Window(), readRequests: new Window() };

  /** Takes `points` (one per event per channel, or one per read) if the app's limit allows them. */
  take(kind: RateKind, points: number, limits: AppLimits, now: number): RateVerdict {
    const limit = kind === "backendEvents" ? limits.maxBackendEventsPerSecond : limits.maxReadRequestsPerSecond;
    if (limit === null) return { ok: true };
    const { allowed, firstRefusal } = this.windows[kind].take(points, limit, now);
    if (allowed) return { ok: true };
    const needs = points > limit ? ` (this request alone counts ${points})` : "";
    return {
      ok: false,
      limit,
      firstInWindow: firstRefusal,
      message: `Rate limit reached: this app allows ${limit} ${NAMES[kind]} per second${needs}. Slow down and retry.`,
    };
  }
}
