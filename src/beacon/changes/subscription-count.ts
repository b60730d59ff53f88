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

/**
 * Marks a channel whose subscriber count changed, when the app has opted in
 * or a webhook endpoint asked for `subscription_count` (which is an opt-in
 * of its own).
 */
export function subscriptionCountChanged(state: SubscriptionCountState, channel: string, now: number): void {
  if (!state.app.subscriptionCountEvents && !state.webhooks.wants("subscription_count", channel)) return;
  // Presence channels have member events instead; user channels are private to one user.
  const { kind } = classifyChannel(channel);
  if (kind === "presence" || kind === "server-to-user") return;
  state.dueWork.schedule("subscription-count", channel, now + SUBSCRIPTION_COUNT_DELAY_MS);
}

/** Alarm runner: tells each marked channel's subscribers its current count. */
export function flushSubscriptionCounts(state: SubscriptionCountState, channels: readonly string[]): void {
  for (const channel of channels) announceSubscriptionCount(state, channel, state.channels.count(channel));
}

/**
 * The one place a settled count is announced, also when it fell to 0 (nobody
 * is left to tell then, but the backend hears it through the webhook).
 */
function announceSubscriptionCount(state: SubscriptionCountState, channel: string, count: number): void {
  if (state.app.subscriptionCountEvents) state.channels.broadcast(channel, frames.subscriptionCount(channel, count));
  state.webhooks.queue({ name: "subscription_count", channel, subscriptionCount: count });
}
