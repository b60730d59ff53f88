import { userChannelName } from "../../contract/objects";
import * as frames from "../../protocol/server-frames";
import type { UserData } from "../../protocol/user-data";
import type { Connection } from "../state/connection";
import type { DueWork } from "../state/due-work";
import type { HubLinks } from "../state/hub-links";
import type { UserIndex } from "../state/user-index";
import type { UserSessions } from "../state/user-sessions";
import type { WatchlistIndex } from "../state/watchlist-index";
import { reportSoon } from "./shard-hubs";

/** Who is signed in: the stored sessions and the two indexes built from them. */
export interface UserState {
  readonly sessions: UserSessions;
  readonly users: UserIndex;
  readonly watchlist: WatchlistIndex;
  readonly dueWork: DueWork;
  /** Set on a shard of a sharded app, where users' hubs know who is online app-wide. */
  readonly links?: HubLinks;
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
  // On a shard the users' hubs answer the online set and tell the watchers (handlers/hub-signin.ts).
  if (state.links !== undefined) return;
  sendOnlineSet(state.users, connection, user.watchlist);
  if (cameOnline) announceToWatchers(state.watchlist, user.id, "online", connection);
}

/** The socket is gone (or signs in anew): its user goes offline with its last socket. */
export function signOut(state: UserState, connection: Connection): void {
  const removed = state.users.remove(connection);
  if (removed === undefined) return;
  state.watchlist.unwatch(connection);
  state.sessions.remove(connection.id);
  if (state.links !== undefined) {
    reportUser(state, removed.user);
    return;
  }
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

/** The user's hub, and the hub of every user it watched, hear what this shard now holds of them. */
export function reportUser(state: { readonly dueWork: DueWork }, user: UserData): void {
  reportSoon(state, userChannelName(user.id));
  for (const watched of user.watchlist) reportSoon(state, userChannelName(watched));
}
