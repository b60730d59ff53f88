import * as frames from "../../protocol/server-frames";
import type { UserData } from "../../protocol/user-data";
import type { Connection } from "../state/connection";
import type { UserIndex } from "../state/user-index";
import type { UserSessions } from "../state/user-sessions";
import type { WatchlistIndex } from "../state/watchlist-index";

/** Who is signed in: the stored sessions and the two indexes built from them. */
export interface UserState {
  readonly sessions: UserSessions;
  readonly users: UserIndex;
  readonly watchlist: WatchlistIndex;
}

/**
 * Records a verified sign-in: durable first, then the indexes, then what the
 * socket and the user's watchers are told. Signing in again on the same
 * socket replaces the earlier user.
 */
export function signIn(state: UserState, connection: Connection, userData: string, user: UserData): void {
  signOut(state, connection);
  state.sessions.save(connection.id, userData);
  connection.signIn(user.id);
  const cameOnline = state.users.add(connection, user);
  state.watchlist.watch(connection, user.watchlist);
  sendOnlineSet(state.users, connection, user.watchlist);
  if (cameOnline) announceToWatchers(state.watchlist, user.id, "online", connection);
}

/** The socket is gone (or signs in anew): its user goes offline with its last socket. */
export function signOut(state: UserState, connection: Connection): void {
  const removed = state.users.remove(connection);
  if (removed === undefined) return;
  state.watchlist.unwatch(connection);
  state.sessions.remove(connection.id);
  if (removed.wentOffline) announceToWatchers(state.watchlist, removed.user.id, "offline");
}

/** A user came online (first socket) or went offline (last socket): its watchers are told. */
export function announceToWatchers(
  watchlist: WatchlistIndex,
  userId: string,
  name: "online" | "offline",
  except?: Connection,
): void {
  const watchers = watchlist.watchersOf(userId);
  if (watchers.size === 0) return;
  const frame = frames.watchlistEvents([{ name, user_ids: [userId] }]);
  for (const connection of watchers) {
    if (connection !== except) connection.send(frame);
  }
}

/** On sign-in the socket learns which of its watched users are already online. */
function sendOnlineSet(users: UserIndex, connection: Connection, watched: readonly string[]): void {
  const online = watched.filter((userId) => users.isOnline(userId));
  if (online.length > 0) connection.send(frames.watchlistEvents([{ name: "online", user_ids: online }]));
}
