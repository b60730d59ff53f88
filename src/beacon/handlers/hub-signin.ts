import type { App } from "../../config/app";
import { userChannelName } from "../../contract/objects";
import { log } from "../../log";
import * as frames from "../../protocol/server-frames";
import type { UserData } from "../../protocol/user-data";
import { reportUser } from "../changes/users";
import type { Connection } from "../state/connection";
import type { DueWork } from "../state/due-work";
import type { HubLinks } from "../state/hub-links";

/** What a shard's sign-in tells the users' hubs. */
export interface HubSigninState {
  readonly app: App;
  readonly dueWork: DueWork;
}

/**
 * On a shard, a verified sign-in is told to the user's hub (which tells the
 * user's watchers, on any shard, when this is the user's first socket) and
 * to the hub of every user on its watchlist, which answer whether each is
 * online: the socket then gets that set, as from a single Beacon. If a hub
 * does not answer, the socket is signed in here all the same and the hubs
 * hear what this shard holds, so none keeps a socket it half-registered.
 */
export async function registerWithHubs(
  state: HubSigninState,
  links: HubLinks,
  connection: Connection,
  user: UserData,
): Promise<void> {
  const own = userChannelName(user.id);
  const watched = user.watchlist.map(userChannelName);
  const pending = [own, ...watched].map((channel) => links.beginJoin(channel, connection.id, false));
  try {
    const [, ...online] = await Promise.all([
      links.hub(own).signIn(state.app.id, own, links.shard, connection.id),
      ...watched.map((channel) => links.hub(channel).watch(state.app.id, channel, links.shard, connection.id)),
    ]);
    const onlineIds = user.watchlist.filter((_, index) => online[index] === true);
    if (onlineIds.length > 0) connection.send(frames.watchlistEvents([{ name: "online", user_ids: onlineIds }]));
  } catch (error) {
    log("error", "a user's hub missed a sign-in", { app: state.app.id, socket: connection.id, error: String(error) });
    reportUser(state, user);
  } finally {
    for (const join of pending) links.endJoin(join);
  }
}
