import { CONNECTIONS_HUB } from "../../contract/objects";
import * as frames from "../../protocol/server-frames";
import { announceSubscriptionCount, subscriptionCountChanged } from "../changes/subscription-count";
import { toShards } from "./forward";
import type { HubState } from "./hub-state";

/*
 * What follows from a change of the channel's membership, app-wide: the
 * webhooks (once per app, from the hub's outbox, with Pusher's grace before
 * a leave) and the frames every shard's subscribers get.
 */

/** The channel's subscribers across shards went from `before` to what the records hold now. */
export function subscribersChanged(state: HubState, before: number): void {
  const after = state.records.totalSubscribers();
  // The app's connection count is a hub too, but no channel: nobody hears of it.
  if (after === before || state.channel === CONNECTIONS_HUB) return;
  if (before === 0) state.webhooks.queue({ name: "channel_occupied", channel: state.channel });
  if (after === 0) state.webhooks.queue({ name: "channel_vacated", channel: state.channel });
  subscriptionCountChanged(state, state.channel, Date.now());
}

/** A user's first socket anywhere joined: every other subscriber hears of it, the joining socket does not. */
export function memberJoined(state: HubState, socketId: string, userId: string, info: unknown): Promise<number> {
  state.webhooks.queue({ name: "member_added", channel: state.channel, userId });
  return toShards(state, frames.memberAdded(state.channel, userId, info), { except: socketId });
}

/** A user's last socket anywhere left. */
export function memberLeft(state: HubState, userId: string): Promise<number> {
  state.webhooks.queue({ name: "member_removed", channel: state.channel, userId });
  return toShards(state, frames.memberRemoved(state.channel, userId));
}

/** Alarm runner: the settled app-wide count, to every shard's subscribers and the webhook. */
export async function announceCount(state: HubState): Promise<void> {
  const broadcasts: Array<Promise<number>> = [];
  announceSubscriptionCount(state, state.channel, state.records.totalSubscribers(), (frame) =>
    broadcasts.push(toShards(state, frame)),
  );
  await Promise.all(broadcasts);
}
