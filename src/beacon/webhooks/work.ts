import type { App } from "../../apps";
import { log } from "../../log";
import type { TimedWork } from "../alarms";
import { DELIVERY, deliverDue, type WebhookMeter } from "./delivery";
import type { WebhookOutbox } from "./outbox";
import { WebhookQueue } from "./queue";

/** Webhooks as alarm work: held leaves whose grace is over are queued, then due batches are sent. */
export function webhookWork(outbox: WebhookOutbox, currentApp: () => App | undefined, meter?: WebhookMeter): TimedWork {
  return {
    name: "webhooks",
    nextDueAt: () => outbox.nextDueAt(),
    run: async (reschedule) => {
      const app = currentApp();
      if (app === undefined) {
        // No secret to sign with: a broken deployment may be fixed soon, a removed app never is.
        const dropped = outbox.dropCreatedBefore(Date.now() - DELIVERY.maxAgeMs);
        log("warn", "webhooks waiting: the app is not configured", { dropped });
        return "blocked";
      }
      new WebhookQueue(app, outbox, reschedule).releaseDueLeaves(Date.now());
      await deliverDue(app, outbox, reschedule, meter);
      return "done";
    },
  };
}
