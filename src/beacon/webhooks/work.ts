import type { TimedWork } from "../alarm-clock";
import { deliverDue, type WebhookMeter } from "./delivery";
import type { WebhookOutbox } from "./outbox";

/** Webhooks as alarm work: held leaves whose grace is over are queued, then due batches are sent. */
export function webhookWork(outbox: WebhookOutbox, meter?: WebhookMeter): TimedWork {
  return {
    name: "webhooks",
    nextDueAt: () => outbox.nextDueAt(),
    run: async (room, reschedule) => {
      room.webhooks.releaseDueLeaves(Date.now());
      await deliverDue(room.app, outbox, reschedule, meter);
    },
  };
}
