import * as frames from "../protocol/server-frames";
import type { Connection } from "./connection";
import type { Room } from "./room";
import { subscriptionCountChanged } from "./subscription-count";
import { signOut } from "./users";

export interface PresenceMember {
  userId: string;
  info: unknown;
  /** The user_info exactly as stored, so a wake-up restores the same member. */
  infoJson: string;
}

/**
 * Every change of who is subscribed to what goes through here, so durable
 * rows, in-memory indexes, presence notices and webhooks can never disagree.
 * Webhooks are queued in the same synchronous step as the rows they report,
 * and queueing one writes those rows with it (see subscription-rows.ts).
 */
export function addSubscription(room: Room, connection: Connection, channel: string, member?: PresenceMember): void {
  room.subscriptionRows.add({
    socketId: connection.id,
    channel,
    userId: member?.userId ?? null,
    userInfo: member?.infoJson ?? null,
  });
  connection.channels.set(channel, member?.userId ?? null);
  if (room.channels.add(channel, connection) === 1) room.webhooks.queue({ name: "channel_occupied", channel });
  subscriptionCountChanged(room, channel, Date.now());
  if (member !== undefined && room.presence.join(channel, member.userId, member.info, connection.id)) {
    room.channels.broadcast(channel, frames.memberAdded(channel, member.userId, member.info), connection);
    room.webhooks.queue({ name: "member_added", channel, userId: member.userId });
  }
}

export function removeSubscription(room: Room, connection: Connection, channel: string): void {
  if (!connection.channels.has(channel)) return;
  room.subscriptionRows.remove(connection.id, channel);
  leaveInMemory(room, connection, channel);
}

/** A socket is gone: one change for all its rows, then the notices it owes. */
export function removeConnection(room: Room, connection: Connection): void {
  room.subscriptionRows.removeSocket(connection.id);
  signOut(room, connection);
  for (const channel of [...connection.channels.keys()]) leaveInMemory(room, connection, channel);
  room.connections.delete(connection.id);
}

function leaveInMemory(room: Room, connection: Connection, channel: string): void {
  const userId = connection.channels.get(channel);
  connection.channels.delete(channel);
  const remaining = room.channels.remove(channel, connection);
  subscriptionCountChanged(room, channel, Date.now());
  if (userId != null && room.presence.leave(channel, userId, connection.id)) {
    room.channels.broadcast(channel, frames.memberRemoved(channel, userId));
    room.webhooks.queue({ name: "member_removed", channel, userId });
  }
  if (remaining === 0) room.webhooks.queue({ name: "channel_vacated", channel });
}
