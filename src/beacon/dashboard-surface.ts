import type { AuditRequest } from "../audit/entry";
import type { WebhookOutboxView } from "../contract/console";
import type { Metered } from "../contract/rpc";
import type { Awake } from "./awake";
import { FiguresSurface } from "./figures-surface";
import { type MeteredCall, READ } from "./rpc/metering";
import { retryWebhooksNow, webhookOutboxView } from "./rpc/webhooks";

/**
 * The calls only the dashboard makes (its webhooks view), metered as REST
 * reads like every other dashboard read. Beacon (beacon.ts) extends this
 * and runs each call as it runs every RPC.
 */
export abstract class DashboardSurface extends FiguresSurface {
  protected abstract serveMetered<T>(
    appId: string,
    method: string,
    call: MeteredCall,
    task: (awake: Awake) => T,
  ): Metered<T>;

  async webhookOutbox(appId: string): Promise<Metered<WebhookOutboxView>> {
    return this.serveMetered(appId, "webhookOutbox", READ, (awake) => webhookOutboxView(awake));
  }

  /** "Retry now": the queued webhooks are attempted at once; answers how many are queued. A change, so recorded (docs/audit.md). */
  async retryWebhooks(appId: string, audit?: AuditRequest): Promise<Metered<number>> {
    return this.serveMetered(appId, "retryWebhooks", { ...READ, audit }, (awake) => retryWebhooksNow(awake));
  }
}
