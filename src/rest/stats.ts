import { ok } from "../lib/result";
import type { RestCall, RestReply } from "./respond";
import { prometheusResponse, statsJson } from "./stats-formats";

/** `GET /apps/{id}/stats`: the app's live counts, totals and rates as JSON. */
export async function getStats(call: RestCall): Promise<RestReply> {
  return ok(statsJson(await call.beacon().readStats(call.app.id)));
}

/** `GET /apps/{id}/metrics`: the same in Prometheus text format. */
export async function getMetrics(call: RestCall): Promise<RestReply> {
  return ok(prometheusResponse([await call.beacon().readStats(call.app.id)]));
}
