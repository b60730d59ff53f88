import type { App, WebhookEndpoint } from "../../config/app";
import { WEBHOOK_LEAVE_GRACE_MS, type WebhookEventType } from "../../protocol/webhooks";
import type { HeldLeave, WebhookOutbox } from "../state/webhook-outbox";
import { toWire, type WebhookEvent } from "./events";

/** Events this close together go out in one request. */
export const WEBHOOK_BATCH_WINDOW_MS = 50;

/**
 * Turns state changes into outbox rows. Everything here is synchronous and
 * is called in the same step as the change it reports, so the change and
 * its webhook are written together or not at all.
 */
export class WebhookQueue {
  constructor(
    private readonly app: App,
    private readonly outbox: WebhookOutbox,
    /** Called after work due at the given time was stored, or (without one) after work was removed. */
    private readonly scheduled: (dueAt?: number) => void,
    /** Writes state that is otherwise written behind, so it commits with the webhook that reports it. */
    private readonly settleState: () => void,
  ) {}

  queue(event: WebhookEvent, now: number = Date.now()): void {
    if (this.app.webhooks.length === 0) return;
    switch (event.name) {
      case "channel_occupied":
      case "member_added":
        // Nothing was held for a pair no endpoint follows, so there is nothing to undo either.
        if (!this.anyEndpointFollows(event)) return;
        this.settleState();
        // A re-join within the grace period: the backend never saw the leave, so it sees no join either.
        if (this.outbox.cancelLeave(leaveUndoneBy(event))) {
          this.scheduled();
          return;
        }
        this.send(event, now);
        return;
      case "channel_vacated":
      case "member_removed":
        if (!this.anyEndpointFollows(event)) return;
        this.settleState();
        this.outbox.holdLeave(leaveOf(event), now + WEBHOOK_LEAVE_GRACE_MS);
        this.scheduled(now + WEBHOOK_LEAVE_GRACE_MS);
        return;
      case "client_event":
      case "cache_miss":
      case "subscription_count":
        this.send(event, now);
        return;
      default:
        event satisfies never;
    }
  }

  /** Whether any endpoint wants this kind of event on this channel, for work that exists only to report it. */
  wants(type: WebhookEventType, channel: string): boolean {
    return this.app.webhooks.some((endpoint) => endpointWants(endpoint, type, channel));
  }

  /** The dashboard's "retry now": queued events are due at once, and the alarm is set for them. */
  retryNow(now: number): number {
    const queued = this.outbox.retryNow(now);
    if (queued > 0) this.scheduled(now);
    return queued;
  }

  /** Held leaves whose grace period is over become real webhooks. */
  releaseDueLeaves(now: number): void {
    for (const leave of this.outbox.takeDueLeaves(now)) {
      this.send(
        leave.kind === "channel_vacated"
          ? { name: leave.kind, channel: leave.channel }
          : { name: leave.kind, channel: leave.channel, userId: leave.userId },
        now,
      );
    }
  }

  private send(event: WebhookEvent, now: number): void {
    let wire: string | undefined;
    let dueAt = Number.POSITIVE_INFINITY;
    for (const endpoint of this.app.webhooks) {
      if (!endpointWants(endpoint, event.name, event.channel)) continue;
      if (wire === undefined) {
        this.settleState();
        wire = JSON.stringify(toWire(event));
      }
      this.outbox.add(endpoint.url, wire, now, now + WEBHOOK_BATCH_WINDOW_MS);
      // An endpoint that backs off takes nothing before its retry, and the alarm is already set for that:
      // saying so keeps the clock's check free, where an earlier time would make it scan the whole backlog.
      dueAt = Math.min(dueAt, Math.max(now + WEBHOOK_BATCH_WINDOW_MS, this.outbox.retryAt(endpoint.url) ?? 0));
    }
    if (wire !== undefined) this.scheduled(dueAt);
  }

  /**
   * A leave is held when some endpoint hears of either half of the pair, so
   * that an endpoint that only wants joins also gets no second join.
   */
  private anyEndpointFollows(event: WebhookEvent & { name: JoinOrLeave }): boolean {
    const [join, leave] = PAIRS[event.name];
    return this.wants(join, event.channel) || this.wants(leave, event.channel);
  }
}

type JoinOrLeave = "channel_occupied" | "channel_vacated" | "member_added" | "member_removed";

/** Each join with the leave that undoes it. */
const PAIRS: Record<JoinOrLeave, readonly [WebhookEventType, WebhookEventType]> = {
  channel_occupied: ["channel_occupied", "channel_vacated"],
  channel_vacated: ["channel_occupied", "channel_vacated"],
  member_added: ["member_added", "member_removed"],
  member_removed: ["member_added", "member_removed"],
};

function leaveOf(event: WebhookEvent & { name: "channel_vacated" | "member_removed" }): HeldLeave {
  return event.name === "channel_vacated"
    ? { kind: event.name, channel: event.channel, userId: "" }
    : { kind: event.name, channel: event.channel, userId: event.userId };
}

function leaveUndoneBy(event: WebhookEvent & { name: "channel_occupied" | "member_added" }): HeldLeave {
  return event.name === "channel_occupied"
    ? { kind: "channel_vacated", channel: event.channel, userId: "" }
    : { kind: "member_removed", channel: event.channel, userId: event.userId };
}

/** Whether an endpoint asked for this kind of event on this channel. */
export function endpointWants(endpoint: WebhookEndpoint, type: WebhookEventType, channel: string): boolean {
  if (!endpoint.eventTypes.includes(type)) return false;
  const { channelNameStartsWith, channelNameEndsWith } = endpoint.filter;
  if (channelNameStartsWith !== undefined && !channel.startsWith(channelNameStartsWith)) return false;
  if (channelNameEndsWith !== undefined && !channel.endsWith(channelNameEndsWith)) return false;
  return true;
}
