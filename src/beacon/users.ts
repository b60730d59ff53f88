import { parseUserData, type UserData } from "../protocol/user-data";
import type { Connection } from "./connection";
import type { Room } from "./room";
import { announceToWatchers } from "./watchlist";

const SCHEMA = `CREATE TABLE IF NOT EXISTS user_sessions (
  socket_id TEXT PRIMARY KEY,
  user_data TEXT NOT NULL
) WITHOUT ROWID`;

/**
 * The signed `user_data` of each signed-in socket, kept verbatim in SQLite:
 * user_info and a watchlist of up to 100 ids do not fit the 2,048-byte
 * attachment, and the exact string is what was signed.
 */
export class UserSessions {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(SCHEMA);
  }

  save(socketId: string, userData: string): void {
    this.sql.exec("INSERT OR REPLACE INTO user_sessions (socket_id, user_data) VALUES (?, ?)", socketId, userData);
  }

  remove(socketId: string): void {
    this.sql.exec("DELETE FROM user_sessions WHERE socket_id = ?", socketId);
  }

  all(): Array<{ socketId: string; userData: string }> {
    return this.sql
      .exec<{ socket_id: string; user_data: string }>("SELECT socket_id, user_data FROM user_sessions")
      .toArray()
      .map((row) => ({ socketId: row.socket_id, userData: row.user_data }));
  }
}

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

/**
 * Records a verified sign-in: durable first, then the indexes, then what the
 * socket and the user's watchers are told. Signing in again on the same
 * socket replaces the earlier user.
 */
export function signIn(room: Room, connection: Connection, userData: string, user: UserData): void {
  signOut(room, connection);
  room.sessions.save(connection.id, userData);
  connection.signIn(user.id);
  const cameOnline = room.users.add(connection, user);
  room.watchlist.watch(connection, user.watchlist);
  room.watchlist.sendOnlineSet(connection, user.watchlist, (id) => room.users.isOnline(id));
  if (cameOnline) announceToWatchers(room, user.id, "online", connection);
}

/** The socket is gone (or signs in anew): its user goes offline with its last socket. */
export function signOut(room: Room, connection: Connection): void {
  const removed = room.users.remove(connection);
  if (removed === undefined) return;
  room.watchlist.unwatch(connection);
  room.sessions.remove(connection.id);
  if (removed.wentOffline) announceToWatchers(room, removed.user.id, "offline");
}

/**
 * Rebuilds the user index after a wake from attachments and SQLite. Rows of
 * sockets that vanished while the object slept are dropped, and users that
 * only they kept online are announced offline.
 */
export function restoreUsers(room: Room): void {
  const vanished = new Set<string>();
  for (const row of room.sessions.all()) {
    const connection = room.connections.get(row.socketId);
    const user = parseUserData(row.userData);
    if (connection === undefined || !user.ok || connection.userId !== user.value.id) {
      room.sessions.remove(row.socketId);
      if (user.ok) vanished.add(user.value.id);
      continue;
    }
    room.users.add(connection, user.value);
    room.watchlist.watch(connection, user.value.watchlist);
  }
  // A socket signed in without a stored session keeps its id, with no user_info or watchlist.
  for (const connection of room.connections.values()) {
    if (connection.userId !== undefined && room.users.session(connection) === undefined) {
      room.users.add(connection, { id: connection.userId, info: undefined, watchlist: [] });
    }
  }
  for (const userId of vanished) {
    if (!room.users.isOnline(userId)) announceToWatchers(room, userId, "offline");
  }
}
