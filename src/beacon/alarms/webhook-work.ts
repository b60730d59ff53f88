import type { App } from "../../config/app";
import { WebhookDrops } from "../state/webhook-drops";
import type { WebhookOutbox } from "../state/webhook-outbox";
import { type AttemptLog, deliverDue, type WebhookMeter } from "../webhooks/delivery";
import type { WebhookQueue } from "../webhooks/queue";
import type { TimedWork } from "./alarm-clock";

/** Webhooks as alarm work: held leaves whose grace is over are queued, then due batches are sent. */
export function webhookWork(
  outbox: WebhookOutbox,
  meter?: WebhookMeter,
  attempts?: AttemptLog,
): TimedWork<{ readonly app: App; readonly webhooks: WebhookQueue }> {
  // One per object, for as long as it is awake: drops are logged once per outage, not once per attempt.
  const drops = new WebhookDrops();
  return {
    name: "webhooks",
    nextDueAt: () => outbox.nextDueAt(),
    run: async (state, attempted) => {
      state.webhooks.releaseDueLeaves(Date.now());
      await deliverDue({ app: state.app, outbox, drops, attempted, meter, attempts });
    },
  };
}
