import * as frames from "../../protocol/server-frames";
import type { Connection } from "../state/connection";
import type { Connections } from "../state/connections";
import type { ConsoleState } from "../state/console-feed";
import type { HubLinks } from "../state/hub-links";
import type { PresenceMember, PresenceRoster } from "../state/presence-roster";
import type { SubscriptionRows } from "../state/subscription-rows";
import { shardCountChanged, shardLeft, socketGone } from "./shard-hubs";
import { type SubscriptionCountState, subscriptionCountChanged } from "./subscription-count";
import { signOut, type UserState } from "./users";

/** What a change of who is subscribed to what touches. */
export interface SubscriptionState extends SubscriptionCountState, ConsoleState {
  readonly subscriptionRows: SubscriptionRows;
  readonly presence: PresenceRoster;
  /** Set on a shard of a sharded app: the channel's hub owns what is app-wide (changes/shard-hubs.ts). */
  readonly links?: HubLinks;
}

/** A socket going touches its subscriptions, its sign-in, and the list of sockets. */
export interface SocketState extends SubscriptionState, UserState {
  readonly connections: Connections;
}

/**
 * Every change of who is subscribed to what goes through here, so durable
 * rows, in-memory indexes, presence notices and webhooks can never disagree.
 * Webhooks are queued in the same synchronous step as the rows they report,
 * and queueing one writes those rows with it (see state/subscription-rows.ts).
 */
export function addSubscription(
  state: SubscriptionState,
  connection: Connection,
  channel: string,
  member?: PresenceMember,
): void {
  state.subscriptionRows.add({
    socketId: connection.id,
    channel,
    userId: member?.userId ?? null,
    userInfo: member?.infoJson ?? null,
  });
  connection.channels.set(channel, member?.userId ?? null);
  const subscribers = state.channels.add(channel, connection);
  if (state.console.open) showSocket(state, "subscribed", connection, channel);
  // On a shard the hub answered the join, and its webhooks and member notices are the hub's.
  if (state.links !== undefined) {
    if (member !== undefined && state.presence.join(channel, member.userId, member.info, connection.id)) {
      showMember(state, "member_added", channel, member.userId);
    }
    shardCountChanged(state, channel);
    return;
  }
  if (subscribers === 1) state.webhooks.queue({ name: "channel_occupied", channel });
  subscriptionCountChanged(state, channel, Date.now());
  if (member !== undefined && state.presence.join(channel, member.userId, member.info, connection.id)) {
    state.channels.broadcast(channel, frames.memberAdded(channel, member.userId, member.info), connection);
    state.webhooks.queue({ name: "member_added", channel, userId: member.userId });
    showMember(state, "member_added", channel, member.userId);
  }
}

/** Unsubscribing from a channel the socket never held is a no-op, as on Pusher. */
export function removeSubscription(state: SubscriptionState, connection: Connection, channel: string): void {
  if (!connection.channels.has(channel)) return;
  state.subscriptionRows.remove(connection.id, channel);
  leaveInMemory(state, connection, channel);
}

/** A socket is gone: one change for all its rows, then the notices it owes. */
export function removeConnection(state: SocketState, connection: Connection): void {
  state.subscriptionRows.removeSocket(connection.id);
  signOut(state, connection);
  for (const channel of [...connection.channels.keys()]) leaveInMemory(state, connection, channel);
  state.connections.remove(connection);
  if (state.links !== undefined) socketGone(state);
}

function leaveInMemory(state: SubscriptionState, connection: Connection, channel: string): void {
  const userId = connection.channels.get(channel);
  connection.channels.delete(channel);
  const remaining = state.channels.remove(channel, connection);
  if (state.console.open) showSocket(state, "unsubscribed", connection, channel);
  if (state.links !== undefined) {
    if (userId != null && state.presence.leave(channel, userId, connection.id)) {
      showMember(state, "member_removed", channel, userId);
    }
    shardLeft(state, channel, userId != null, remaining);
    return;
  }
  subscriptionCountChanged(state, channel, Date.now());
  if (userId != null && state.presence.leave(channel, userId, connection.id)) {
    state.channels.broadcast(channel, frames.memberRemoved(channel, userId));
    state.webhooks.queue({ name: "member_removed", channel, userId });
    showMember(state, "member_removed", channel, userId);
  }
  if (remaining === 0) state.webhooks.queue({ name: "channel_vacated", channel });
}

function showSocket(
  state: ConsoleState,
  kind: "subscribed" | "unsubscribed",
  connection: Connection,
  channel: string,
): void {
  state.console.emit({ kind, at: Date.now(), socket: connection.id, channel });
}

/**
 * A member's first socket on this object joined, or its last left: on one
 * Beacon that is the app's member_added / member_removed; on a shard, the
 * member arriving on or leaving that shard (its hub tells the app).
 */
export function showMember(
  state: ConsoleState,
  kind: "member_added" | "member_removed",
  channel: string,
  user: string,
): void {
  if (state.console.open) state.console.emit({ kind, at: Date.now(), channel, user });
}
