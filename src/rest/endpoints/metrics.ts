import { ok } from "../../lib/result";
import type { RestCall, RestReply } from "../call";
import { prometheusResponse } from "../stats-formats";

/** `GET /apps/{id}/metrics`: the app's statistics in Prometheus text format. */
export async function getMetrics(call: RestCall): Promise<RestReply> {
  const stats = await call.beacon().readStats(call.app.id);
  return stats.ok ? ok(prometheusResponse([stats.value])) : stats;
}
