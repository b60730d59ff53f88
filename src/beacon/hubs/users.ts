import { log } from "../../log";
import { classifyChannel } from "../../protocol/channels";
import * as frames from "../../protocol/server-frames";
import { settle, toSockets } from "./forward";
import type { HubState } from "./hub-state";

/*
 * A user's hub is the hub of the channel `#server-to-user-{id}`: besides
 * that channel's subscribers it knows every socket signed in as the user,
 * on any shard, and every socket watching the user.
 */

function userOf(state: HubState): string {
  const userId = classifyChannel(state.channel).userId;
  if (userId === undefined) throw new Error(`'${state.channel}' is not a user's channel`);
  return userId;
}

/** A socket signed in as the user; the user's first anywhere brings it online for its watchers. */
export async function userSignedIn(state: HubState, shard: string, socketId: string): Promise<void> {
  if (state.records.addSocket("signed-in", shard, socketId)) await tellWatchers(state, "online", socketId);
}

/** A socket watches the user; true when the user is online now. */
export function watcherAdded(state: HubState, shard: string, socketId: string): boolean {
  state.records.addSocket("watcher", shard, socketId);
  return state.records.count("signed-in") > 0;
}

/** The user's last signed-in socket anywhere went. */
export function userWentOffline(state: HubState): Promise<number> {
  return tellWatchers(state, "offline");
}

function tellWatchers(state: HubState, name: "online" | "offline", except?: string): Promise<number> {
  const watchers = state.records.byShard("watcher");
  if (except !== undefined) {
    for (const [shard, sockets] of watchers)
      watchers.set(
        shard,
        sockets.filter((socketId) => socketId !== except),
      );
  }
  return toSockets(state, watchers, frames.watchlistEvents([{ name, user_ids: [userOf(state)] }]));
}

/** `terminate_connections`: every shard holding a socket signed in as the user closes it. */
export async function terminateUser(state: HubState): Promise<number> {
  const userId = userOf(state);
  let closed = 0;
  const calls = [...state.records.byShard("signed-in").keys()].map((shard) => {
    const call = state.shards.stub(shard).terminateUser(state.app.id, shard, userId);
    return [shard, call.then((count) => (closed += count))] as const;
  });
  const failed = await settle(state, "terminate", calls);
  if (failed > 0) log("warn", "terminate_connections missed shards", { app: state.app.id, user: userId, failed });
  return closed;
}
