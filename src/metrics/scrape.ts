import { constantTimeEqual } from "../auth/crypto";
import type { AppRegistry } from "../config/registry";
import { log } from "../log";
import { prometheusResponse } from "../rest/stats-formats";
import { appFigures } from "./app-figures";
import { statsRegistry } from "./registry";
import { clientAddress, SCRAPES, ScrapeGuard, type ScrapeRefusal } from "./scrape-guard";
import { type MetricsEnv, metricsToken } from "./token";

/** One per isolate: its counts are what this isolate has seen (see ScrapeGuard). */
const guard = new ScrapeGuard();

/**
 * `GET /metrics` with `Authorization: Bearer <METRICS_TOKEN>`: every app's
 * metrics in one Prometheus scrape. Prometheus sends a fixed bearer token but
 * cannot compute Pusher's per-request signatures, so this is its way in.
 * A scrape is one RPC, to the stats registry, where each Beacon leaves its
 * figures (at most one flush interval old): no app's Beacon is woken.
 * Without the token set, the path does not exist.
 */
export async function scrapeMetrics(
  request: Request,
  env: MetricsEnv & Pick<Env, "STATS_REGISTRY">,
  apps: Pick<AppRegistry, "all">,
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
  return scrape(env, apps);
}

async function scrape(env: Pick<Env, "STATS_REGISTRY">, apps: Pick<AppRegistry, "all">): Promise<Response> {
  let records: string[];
  try {
    records = await statsRegistry(env.STATS_REGISTRY).records();
  } catch (error) {
    log("error", "stats registry could not be read", { error: String(error) });
    return new Response("The stats registry did not answer. Try the scrape again.\n", {
      status: 503,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  }
  const figures = appFigures(
    apps.all().map((app) => app.id),
    records,
    Date.now(),
  );
  if (figures.unreadable > 0) log("warn", "unreadable stats records skipped", { count: figures.unreadable });
  return prometheusResponse(figures.snapshots);
}

function tooMany(refusal: ScrapeRefusal, message: string): Response {
  return new Response(`${message}\n`, {
    status: 429,
    headers: { "Retry-After": String(refusal.retryAfterSeconds), "Content-Type": "text/plain; charset=utf-8" },
  });
}
