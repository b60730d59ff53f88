import { constantTimeEqual } from "../auth/crypto";
import type { AppRegistry } from "../config/registry";
import { log } from "../log";
import { prometheusResponse } from "../rest/stats-formats";
import { clientAddress, SCRAPES, ScrapeGuard, type ScrapeRefusal } from "./scrape-guard";
import { type MetricsEnv, metricsToken } from "./token";

/** One per isolate: its counts are what this isolate has seen (see ScrapeGuard). */
const guard = new ScrapeGuard();

/**
 * `GET /metrics` with `Authorization: Bearer <METRICS_TOKEN>`: every app's
 * metrics in one Prometheus scrape. Prometheus sends a fixed bearer token but
 * cannot compute Pusher's per-request signatures, so this is its way in.
 * Each scrape is one RPC per app (which wakes an idle Beacon briefly and
 * writes nothing); without the token set, the path does not exist.
 */
export async function scrapeMetrics(
  request: Request,
  env: MetricsEnv,
  apps: Pick<AppRegistry, "all">,
  beacons: Env["BEACON"],
): Promise<Response | undefined> {
  const token = metricsToken(env);
  if (token === undefined) return undefined;
  const now = Date.now();
  const address = clientAddress(request);
  const locked = guard.lockedOut(address, now);
  if (locked !== undefined) {
    if (locked.firstInWindow) log("warn", "metrics auth locked out", { address });
    return tooMany(locked, "Too many wrong tokens from this address. Check METRICS_TOKEN and retry later.");
  }
  const given = request.headers.get("Authorization") ?? "";
  if (!constantTimeEqual(given, `Bearer ${token}`)) {
    if (guard.failed(address, now)) log("warn", "metrics auth failed", { address });
    return new Response("Send Authorization: Bearer <METRICS_TOKEN>\n", {
      status: 401,
      headers: { "WWW-Authenticate": "Bearer", "Content-Type": "text/plain; charset=utf-8" },
    });
  }
  const busy = guard.scrape(now);
  if (busy !== undefined) {
    if (busy.firstInWindow) log("warn", "metrics scrape limit reached", { limit: SCRAPES.limit });
    const per = SCRAPES.windowMs / 1000;
    return tooMany(
      busy,
      `Scrape limit reached: at most ${SCRAPES.limit} scrapes per ${per} seconds. Scrape less often.`,
    );
  }
  const read = await Promise.all(apps.all().map((app) => beacons.getByName(app.id).readStats(app.id)));
  // An app over its read limit is left out of this scrape rather than failing it.
  return prometheusResponse(read.flatMap((stats) => (stats.ok ? [stats.value] : [])));
}

function tooMany(refusal: ScrapeRefusal, message: string): Response {
  return new Response(`${message}\n`, {
    status: 429,
    headers: { "Retry-After": String(refusal.retryAfterSeconds), "Content-Type": "text/plain; charset=utf-8" },
  });
}
