import type { ShardReport } from "../../contract/hub-rpc";
import type { SocketRole } from "../state/hub-records";
import type { HubState } from "./hub-state";
import { memberLeft, subscribersChanged } from "./membership";
import { userWentOffline } from "./users";

/**
 * Brings the hub's records of one shard to what the shard reports: sockets
 * it no longer holds are dropped, with what follows (a user's last socket
 * leaving, the channel emptying, a user going offline). A report never adds:
 * sockets come in only through a checked join. Resolves once the frames it
 * caused are handed to the shards.
 */
export async function applyReport(state: HubState, report: ShardReport): Promise<void> {
  const joining = new Set(report.joining);
  const drop = (role: SocketRole, kept: readonly string[]) => {
    const keep = new Set(kept);
    return state.records
      .socketsOn(role, report.shard)
      .filter((socketId) => !keep.has(socketId) && !joining.has(socketId))
      .map((socketId) => state.records.remove(role, socketId));
  };
  const sent: Array<Promise<unknown>> = [];
  for (const removed of drop("member", report.members)) {
    if (removed.userLeft && removed.userId !== undefined) sent.push(memberLeft(state, removed.userId));
  }
  const before = state.records.totalSubscribers();
  state.records.setSubscribers(report.shard, report.subscribers);
  subscribersChanged(state, before);
  const wasOnline = state.records.count("signed-in") > 0;
  drop("signed-in", report.signedIn);
  if (wasOnline && state.records.count("signed-in") === 0) sent.push(userWentOffline(state));
  drop("watcher", report.watchers);
  await Promise.all(sent);
}
