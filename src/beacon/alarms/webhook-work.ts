import type { App } from "../../config/app";
import type { WebhookOutbox } from "../state/webhook-outbox";
import { deliverDue, type WebhookMeter } from "../webhooks/delivery";
import type { WebhookQueue } from "../webhooks/queue";
import type { TimedWork } from "./alarm-clock";

/** Webhooks as alarm work: held leaves whose grace is over are queued, then due batches are sent. */
export function webhookWork(
  outbox: WebhookOutbox,
  meter?: WebhookMeter,
): TimedWork<{ readonly app: App; readonly webhooks: WebhookQueue }> {
  return {
    name: "webhooks",
    nextDueAt: () => outbox.nextDueAt(),
    run: async (state, reschedule) => {
      state.webhooks.releaseDueLeaves(Date.now());
      await deliverDue(state.app, outbox, reschedule, meter);
    },
  };
}
