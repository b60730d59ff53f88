import { withEvents } from "../../audit/request";
import type { PublishEvent } from "../../contract/rpc";
import { err, ok } from "../../lib/result";
import { restError } from "../../protocol/rest";
import { parseJsonObject } from "../body";
import type { RestCall, RestReply } from "../call";
import { parsePublishEvent } from "../publish-event";

/**
 * `POST /apps/{id}/batch_events`: `{"batch": [...]}`, delivered in order in
 * one RPC. If any event asks for `info`, the reply lists counts per event,
 * in order, `{}` for the others (api "POST batch events").
 */
export async function triggerBatch(call: RestCall): Promise<RestReply> {
  const body = parseJsonObject(call.body);
  if (!body.ok) return body;
  const { batch } = body.value;
  if (!Array.isArray(batch)) return err(restError(400, "batch must be an array of events"));
  const limit = call.app.limits.maxEventBatchSize;
  // 400, as soketi and its forks answer: too many events is a bad request; 413 is kept for data over the limit.
  if (batch.length > limit) return err(restError(400, `A batch may hold at most ${limit} events`));
  // Nothing to deliver: no reason to wake the Beacon.
  if (batch.length === 0) return ok({});

  const events: PublishEvent[] = [];
  for (const [index, entry] of batch.entries()) {
    const event = parsePublishEvent(entry, call.app.limits, "batch");
    if (!event.ok) return err({ ...event.error, message: `batch[${index}]: ${event.error.message}` });
    events.push(event.value);
  }
  const published = await call.beacon().publish(call.app.id, events, await withEvents(call.audit, events));
  if (!published.ok) return published;
  const counts = published.value;
  if (events.every((event) => event.info === undefined)) return ok({});
  return ok({
    batch: events.map((event, index) => {
      const [channel = ""] = event.channels;
      return counts[index]?.get(channel) ?? {};
    }),
  });
}
