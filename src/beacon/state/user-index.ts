import type { UserData } from "../../protocol/user-data";
import type { Connection } from "./connection";

/**
 * user id -> signed-in sockets, for `#server-to-user-` routing and online
 * state. A user is online from its first signed-in socket to its last.
 */
export class UserIndex {
  private readonly byUser = new Map<string, Set<Connection>>();
  private readonly sessions = new Map<Connection, UserData>();

  /** True when this is the user's first socket (the user came online). */
  add(connection: Connection, user: UserData): boolean {
    this.sessions.set(connection, user);
    const sockets = this.byUser.get(user.id);
    if (sockets !== undefined) {
      sockets.add(connection);
      return false;
    }
    this.byUser.set(user.id, new Set([connection]));
    return true;
  }

  /** The user the socket was signed in as, and whether it was the user's last socket. */
  remove(connection: Connection): { user: UserData; wentOffline: boolean } | undefined {
    const user = this.sessions.get(connection);
    if (user === undefined) return undefined;
    this.sessions.delete(connection);
    const sockets = this.byUser.get(user.id);
    sockets?.delete(connection);
    if (sockets !== undefined && sockets.size > 0) return { user, wentOffline: false };
    this.byUser.delete(user.id);
    return { user, wentOffline: true };
  }

  session(connection: Connection): UserData | undefined {
    return this.sessions.get(connection);
  }

  isOnline(userId: string): boolean {
    return this.byUser.has(userId);
  }

  socketsOf(userId: string): ReadonlySet<Connection> {
    return this.byUser.get(userId) ?? new Set();
  }
}
