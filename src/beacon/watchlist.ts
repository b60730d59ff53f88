import * as frames from "../protocol/server-frames";
import type { Connection } from "./connection";
import type { Room } from "./room";

/**
 * watched user id -> sockets whose signed-in user lists it in its
 * `watchlist`. Kept in memory and rebuilt on wake from the stored sessions.
 */
export class WatchlistIndex {
  private readonly watchers = new Map<string, Set<Connection>>();
  private readonly watching = new Map<Connection, readonly string[]>();

  watch(connection: Connection, userIds: readonly string[]): void {
    if (userIds.length === 0) return;
    this.watching.set(connection, userIds);
    for (const userId of userIds) {
      const sockets = this.watchers.get(userId);
      if (sockets === undefined) this.watchers.set(userId, new Set([connection]));
      else sockets.add(connection);
    }
  }

  unwatch(connection: Connection): void {
    for (const userId of this.watching.get(connection) ?? []) {
      const sockets = this.watchers.get(userId);
      sockets?.delete(connection);
      if (sockets?.size === 0) this.watchers.delete(userId);
    }
    this.watching.delete(connection);
  }

  watchersOf(userId: string): ReadonlySet<Connection> {
    return this.watchers.get(userId) ?? new Set();
  }

  /** On sign-in the socket learns which of its watched users are already online. */
  sendOnlineSet(connection: Connection, userIds: readonly string[], isOnline: (userId: string) => boolean): void {
    const online = userIds.filter(isOnline);
    if (online.length > 0) connection.send(frames.watchlistEvents([{ name: "online", user_ids: online }]));
  }
}

/** A user came online (first socket) or went offline (last socket): its watchers are told. */
export function announceToWatchers(room: Room, userId: string, name: "online" | "offline", except?: Connection): void {
  const watchers = room.watchlist.watchersOf(userId);
  if (watchers.size === 0) return;
  const frame = frames.watchlistEvents([{ name, user_ids: [userId] }]);
  for (const connection of watchers) {
    if (connection !== except) connection.send(frame);
  }
}
