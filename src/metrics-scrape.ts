import { constantTimeEqual } from "./auth/crypto";
import type { AppRegistry } from "./config/registry";
import { log } from "./log";
import { prometheusResponse } from "./rest/stats-formats";
import { appStats } from "./sharded/stats";

export interface MetricsEnv {
  /** Enables `GET /metrics` for every app at once, for scrapers that cannot sign Pusher requests. */
  readonly METRICS_TOKEN?: string;
}

/** Shorter tokens are too easy to guess for an endpoint that lists every app. */
const MIN_TOKEN_LENGTH = 16;

/**
 * `GET /metrics` with `Authorization: Bearer <METRICS_TOKEN>`: every app's
 * metrics in one Prometheus scrape. Prometheus sends a fixed bearer token but
 * cannot compute Pusher's per-request signatures, so this is its way in. Each
 * scrape is one RPC per app (which wakes an idle Beacon briefly and writes
 * nothing); without the token set, the path does not exist.
 */
export async function scrapeMetrics(
  request: Request,
  env: MetricsEnv,
  apps: Pick<AppRegistry, "all">,
  beacons: Env["BEACON"],
): Promise<Response | undefined> {
  const token = env.METRICS_TOKEN ?? "";
  if (token.length < MIN_TOKEN_LENGTH) return undefined;
  const given = request.headers.get("Authorization") ?? "";
  if (!constantTimeEqual(given, `Bearer ${token}`)) {
    log("warn", "metrics auth failed", {});
    return new Response("Send Authorization: Bearer <METRICS_TOKEN>\n", {
      status: 401,
      headers: { "WWW-Authenticate": "Bearer", "Content-Type": "text/plain; charset=utf-8" },
    });
  }
  const snapshots = await Promise.all(apps.all().map((app) => appStats(app, beacons)));
  return prometheusResponse(snapshots);
}
