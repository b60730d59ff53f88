import type { AuditRequest } from "../../audit/entry";
import type { App } from "../../config/app";
import { log } from "../../log";
import { type RestError, restError } from "../../protocol/rest";
import type { ConsoleState } from "../state/console-feed";
import { RATE_WINDOW_SECONDS, type RateKind, type RateLimits } from "../state/rate-limits";
import type { Stats } from "../state/stats";

/** Reads of the app's own figures, which the dashboard repeats while open: not traffic worth a line on its graph. */
const FIGURE_READS: ReadonlySet<string> = new Set(["readStats", "readSeries"]);
/** A REST call's points against the app's per-second limits, and its audit entry when it changes something. */
export interface MeteredCall {
  readonly kind: RateKind;
  readonly points: number;
  readonly audit?: AuditRequest | undefined;
}

/** What every read costs. */
export const READ: MeteredCall = { kind: "readRequests", points: 1 };

/**
 * Counts a REST call for the graphs and takes its points from the app's per-second limits. Counting in
 * the Beacon, where every call for the app arrives, keeps the limit exact
 * across Worker isolates. A refusal is counted, logged once per window and
 * returned as the 429 the caller answers with.
 */
export function meterCall(
  rates: RateLimits,
  stats: Pick<Stats, "count" | "apiCall">,
  { app, console: feed }: { readonly app: App } & ConsoleState,
  call: MeteredCall & { readonly method: string },
  now: number,
): RestError | undefined {
  if (!FIGURE_READS.has(call.method)) stats.apiCall();
  const verdict = rates.take(call.kind, call.points, app.limits, now);
  if (verdict.ok) return undefined;
  stats.count("rate_limited");
  if (feed.open) feed.emit({ kind: "refused", at: now, message: `REST call refused: ${verdict.message}` });
  if (verdict.firstInWindow) log("warn", "rate limit reached", { app: app.id, kind: call.kind, limit: verdict.limit });
  return { ...restError(429, verdict.message), retryAfterSeconds: RATE_WINDOW_SECONDS };
}
