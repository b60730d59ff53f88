import type { WebhookOutboxView } from "../contract/console";
import type { Metered } from "../contract/rpc";
import type { Awake } from "./awake";
import { retryWebhooksNow, webhookOutboxView } from "./rpc/webhooks";
import { ShardSurface } from "./shard-surface";
import type { RateKind } from "./state/rate-limits";

/**
 * The calls only the dashboard makes (its webhooks view), metered as REST
 * reads like every other dashboard read. Beacon (beacon.ts) extends this
 * and runs each call as it runs every RPC.
 */
export abstract class DashboardSurface extends ShardSurface {
  protected abstract serveMetered<T>(
    appId: string,
    method: string,
    kind: RateKind,
    points: number,
    task: (awake: Awake) => T,
  ): Metered<T>;

  async webhookOutbox(appId: string): Promise<Metered<WebhookOutboxView>> {
    return this.serveMetered(appId, "webhookOutbox", "readRequests", 1, (awake) => webhookOutboxView(awake));
  }

  /** "Retry now": the queued webhooks are attempted at once; answers how many are queued. */
  async retryWebhooks(appId: string): Promise<Metered<number>> {
    return this.serveMetered(appId, "retryWebhooks", "readRequests", 1, (awake) => retryWebhooksNow(awake));
  }
}
