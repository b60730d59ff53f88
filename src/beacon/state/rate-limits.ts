import type { AppLimits } from "../../config/app";
import { FixedWindow } from "../../lib/fixed-window";

/** What the REST API is metered on, as soketi meters it (points per second, per app). */
export type RateKind = "backendEvents" | "readRequests";

const NAMES: Record<RateKind, string> = { backendEvents: "backend events", readRequests: "read requests" };

/** Also the Retry-After of a refusal: the window is never more than this away from ending. */
export const RATE_WINDOW_SECONDS = 1;

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
export class RateLimits {
  private readonly windows: Record<RateKind, FixedWindow> = {
    backendEvents: new FixedWindow(RATE_WINDOW_SECONDS * 1000),
    readRequests: new FixedWindow(RATE_WINDOW_SECONDS * 1000),
  };

  /** Takes `points` (one per event per channel, or one per read) if the app's limit allows them. */
  take(kind: RateKind, points: number, limits: AppLimits, now: number): RateVerdict {
    const limit = kind === "backendEvents" ? limits.maxBackendEventsPerSecond : limits.maxReadRequestsPerSecond;
    if (limit === null) return { ok: true };
    const taken = this.windows[kind].take(points, limit, now);
    if (taken.allowed) return { ok: true };
    const needs = points > limit ? ` (this request alone counts ${points})` : "";
    return {
      ok: false,
      limit,
      firstInWindow: taken.firstRefusal,
      message: `Rate limit reached: this app allows ${limit} ${NAMES[kind]} per second${needs}. Slow down and retry.`,
    };
  }
}
