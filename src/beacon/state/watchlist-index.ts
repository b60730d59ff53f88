import type { Connection } from "./connection";

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
}
