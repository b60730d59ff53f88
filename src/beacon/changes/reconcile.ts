import type { App } from "../../config/app";
import { keyStanding } from "../../config/app-keys";
import { log } from "../../log";
import { KEY_REFUSALS } from "../../protocol/errors";
import * as frames from "../../protocol/server-frames";
import { parseUserData } from "../../protocol/user-data";
import { readAttachment } from "../state/attachment";
import { Connection } from "../state/connection";
import { parseStoredUserInfo } from "../state/presence-roster";
import { reportSoon } from "./shard-hubs";
import { subscriptionCountChanged } from "./subscription-count";
import { type SocketState, showMember } from "./subscriptions";
import { announceToWatchers, reportUser, type UserState } from "./users";

/**
 * After a wake-up the in-memory state is empty: this rebuilds it from the
 * sockets' attachments and SQLite, and reconciles. Rows left by sockets
 * that vanished while the object slept are removed, and presence members,
 * channels and users that only they held are announced as gone.
 */
export function reconcile(state: SocketState, sockets: readonly WebSocket[]): void {
  for (const ws of sockets) {
    const attachment = readAttachment(ws, state.app.key);
    if (attachment === undefined) continue;
    const connection = new Connection(ws, attachment);
    // Untracked, the socket's rows are reconciled below like those of a socket that vanished.
    if (keyStillServed(state.app, connection)) state.connections.track(connection);
  }
  const vanished = new Map<string, Set<string>>();
  const staleSockets = new Set<string>();
  const vanishedFrom = new Set<string>();
  for (const row of state.subscriptionRows.all()) {
    const connection = state.connections.get(row.socketId);
    if (connection === undefined) {
      staleSockets.add(row.socketId);
      vanishedFrom.add(row.channel);
      if (row.userId !== null) addTo(vanished, row.channel, row.userId);
      continue;
    }
    connection.channels.set(row.channel, row.userId);
    state.channels.add(row.channel, connection);
    if (row.userId !== null) {
      state.presence.join(row.channel, row.userId, parseStoredUserInfo(row.userInfo), connection.id);
    }
  }
  for (const socketId of staleSockets) state.subscriptionRows.removeSocket(socketId);
  if (state.links !== undefined) {
    // On a shard the hubs say who left, app-wide: they hear what this shard holds now.
    for (const channel of vanishedFrom) reportSoon(state, channel);
    restoreUsers(state);
    return;
  }
  for (const channel of vanishedFrom) subscriptionCountChanged(state, channel, Date.now());
  for (const [channel, userIds] of vanished) {
    for (const userId of userIds) {
      if (!state.presence.isMember(channel, userId)) {
        state.channels.broadcast(channel, frames.memberRemoved(channel, userId));
        state.webhooks.queue({ name: "member_removed", channel, userId });
        showMember(state, "member_removed", channel, userId);
      }
    }
  }
  for (const channel of vanishedFrom) {
    if (state.channels.count(channel) === 0) state.webhooks.queue({ name: "channel_vacated", channel });
  }
  restoreUsers(state);
}

/**
 * Rebuilds the user indexes from the stored sessions. Sessions of sockets
 * that vanished while the object slept are dropped, and users that only
 * they kept online are announced offline.
 */
function restoreUsers(state: UserState & Pick<SocketState, "connections">): void {
  const vanished = new Set<string>();
  for (const row of state.sessions.all()) {
    const connection = state.connections.get(row.socketId);
    const user = parseUserData(row.userData);
    if (connection === undefined || !user.ok || connection.userId !== user.value.id) {
      state.sessions.remove(row.socketId);
      if (user.ok) vanished.add(user.value.id);
      if (user.ok && state.links !== undefined) reportUser(state, user.value);
      continue;
    }
    state.users.add(connection, user.value);
    state.watchlist.watch(connection, user.value.watchlist);
  }
  // A socket signed in without a stored session keeps its id, with no user_info or watchlist.
  for (const connection of state.connections.values()) {
    if (connection.userId !== undefined && state.users.session(connection) === undefined) {
      state.users.add(connection, { id: connection.userId, info: undefined, watchlist: [] });
    }
  }
  if (state.links !== undefined) return;
  for (const userId of vanished) {
    if (!state.users.isOnline(userId)) announceToWatchers(state.watchlist, userId, "offline");
  }
}

/**
 * A configuration is read once per wake (a deploy restarts every object), so
 * this is where a Beacon learns that a socket's key was retired or removed
 * while it slept: the socket is told why and closed with the code a new
 * socket with that key would get, on which pusher-js stops reconnecting.
 */
function keyStillServed(app: App, connection: Connection): boolean {
  const standing = keyStanding(app, connection.key);
  if (standing === "current") return true;
  const { code, message } = KEY_REFUSALS[standing];
  log("info", "socket closed: its key is no longer served", {
    app: app.id,
    socket: connection.id,
    key: connection.key,
  });
  connection.send(frames.errorFrame({ code, message }));
  connection.close(code, message);
  return false;
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key);
  if (set === undefined) map.set(key, new Set([value]));
  else set.add(value);
}
