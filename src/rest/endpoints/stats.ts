import { ok } from "../../lib/result";
import type { RestCall, RestReply } from "../call";
import { statsJson } from "../stats-formats";

/** `GET /apps/{id}/stats`: the app's live counts, totals and rates as JSON. */
export async function getStats(call: RestCall): Promise<RestReply> {
  const stats = await call.beacon().readStats(call.app.id);
  return stats.ok ? ok(statsJson(stats.value)) : stats;
}
