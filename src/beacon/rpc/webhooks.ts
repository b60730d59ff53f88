import type { App } from "../../config/app";
import type { EndpointBacklog, WebhookOutboxView } from "../../contract/console";
import type { WebhookAttempts } from "../state/webhook-attempts";
import type { WebhookOutbox } from "../state/webhook-outbox";
import { endpointLabel } from "../webhooks/endpoint-label";
import type { WebhookQueue } from "../webhooks/queue";

/** What the webhooks view reads: the outbox, and (on a Beacon) the recent attempts. */
export interface WebhookViewState {
  readonly app: App;
  readonly outbox: WebhookOutbox;
  readonly attempts?: WebhookAttempts;
}

/** This object's part of the dashboard's webhooks view. Endpoints are named by host, never by URL. */
export function webhookOutboxView(state: WebhookViewState): WebhookOutboxView {
  const backlogs: EndpointBacklog[] = state.outbox.backlogs().map((backlog) => ({
    endpoint: endpointLabel(state.app, backlog.endpoint),
    pending: backlog.pending,
    attempts: backlog.attempts,
    nextAttemptAt: backlog.nextAttemptAt,
    source: "",
  }));
  return { backlogs, recent: state.attempts?.recent() ?? [], held: state.outbox.heldLeaves() };
}

/**
 * "Retry now": every endpoint's back-off ends and its queued events are due
 * at once, so the alarm attempts them now. Held leaves keep their grace
 * period: it is what lets a quick re-join cancel them. Returns how many
 * events are queued.
 */
export function retryWebhooksNow(state: { readonly webhooks: WebhookQueue }): number {
  return state.webhooks.retryNow(Date.now());
}
