import { withEvents } from "../../audit/request";
import { jsonObject } from "../../lib/json";
import { ok } from "../../lib/result";
import { parseJsonObject } from "../body";
import type { RestCall, RestReply } from "../call";
import { parsePublishEvent } from "../publish-event";

/**
 * `POST /apps/{id}/events`: `{}`, or with `info` the counts of every
 * channel triggered to, `{"channels": {"presence-x": {"user_count": 1}}}`.
 */
export async function triggerEvents(call: RestCall): Promise<RestReply> {
  const body = parseJsonObject(call.body);
  if (!body.ok) return body;
  const event = parsePublishEvent(body.value, call.app.limits, "events");
  if (!event.ok) return event;
  const audit = await withEvents(call.audit, [event.value]);
  const published = await call.beacon().publish(call.app.id, [event.value], audit);
  if (!published.ok) return published;
  const [counts] = published.value;
  return ok(event.value.info === undefined ? {} : { channels: jsonObject(counts ?? []) });
}
