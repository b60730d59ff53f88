import type { App } from "../../config/app";
import { classifyChannel } from "../../protocol/channels";
import * as frames from "../../protocol/server-frames";
import type { ChannelIndex } from "../state/channel-index";
import type { DueWork } from "../state/due-work";
import type { WebhookQueue } from "../webhooks/queue";

/**
 * How long count changes are gathered before subscribers are told. A burst
 * of joins (a page with many viewers reloading, a reconnect storm) would
 * otherwise send every subscriber one frame per join, n² frames in all;
 * gathering them sends each subscriber one frame per burst. The wait runs
 * on the Durable Object alarm with the channel marked in SQLite, so it
 * neither keeps the object awake nor is lost if the object is evicted.
 * Flushing at the end of each incoming frame would not coalesce anything,
 * since every join arrives as its own frame.
 */
export const SUBSCRIPTION_COUNT_DELAY_MS = 500;

/** What announcing subscription counts reads and writes. */
export interface SubscriptionCountState {
  readonly app: App;
  readonly channels: ChannelIndex;
  readonly dueWork: DueWork;
  readonly webhooks: WebhookQueue;
}

/** Who may hear of a channel's count: the app, and its webhook endpoints. */
export interface CountAudience {
  readonly app: App;
  readonly webhooks: WebhookQueue;
}

/**
 * Whether anyone hears of this channel's count: its subscribers, when the
 * app has opted in, or a webhook endpoint that asked for
 * `subscription_count` (which is an opt-in of its own).
 */
export function countsWanted(state: CountAudience, channel: string): boolean {
  if (!state.app.subscriptionCountEvents && !state.webhooks.wants("subscription_count", channel)) return false;
  // Presence channels have member events instead; user channels are private to one user.
  const { kind } = classifyChannel(channel);
  return kind !== "presence" && kind !== "server-to-user";
}

/** Marks a channel whose subscriber count changed, when anyone hears of it. */
export function subscriptionCountChanged(
  state: CountAudience & { readonly dueWork: DueWork },
  channel: string,
  now: number,
): void {
  if (countsWanted(state, channel)) {
    state.dueWork.schedule("subscription-count", channel, now + SUBSCRIPTION_COUNT_DELAY_MS);
  }
}

/** Alarm runner: tells each marked channel's subscribers its current count. */
export function flushSubscriptionCounts(state: SubscriptionCountState, channels: readonly string[]): void {
  for (const channel of channels) {
    announceSubscriptionCount(state, channel, state.channels.count(channel), (frame) =>
      state.channels.broadcast(channel, frame),
    );
  }
}

/**
 * The one place a settled count is announced, also when it fell to 0 (nobody
 * is left to tell then, but the backend hears it through the webhook).
 * `broadcast` reaches the channel's subscribers wherever they are.
 */
export function announceSubscriptionCount(
  state: CountAudience,
  channel: string,
  count: number,
  broadcast: (frame: string) => void,
): void {
  if (state.app.subscriptionCountEvents) broadcast(frames.subscriptionCount(channel, count));
  state.webhooks.queue({ name: "subscription_count", channel, subscriptionCount: count });
}
