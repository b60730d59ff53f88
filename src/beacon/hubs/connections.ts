import { confirmShards } from "./confirm";
import type { HubState } from "./hub-state";

/**
 * The app's connection count, for an app-wide `max_connections`: the hub
 * named CONNECTIONS_HUB (contract/objects.ts) keeps each shard's sockets as
 * its "subscribers". A shard asks before it accepts a socket, giving its
 * count with the new one, so every admission also corrects that shard's
 * count; closes reach it as reports. Shards not heard from since this hub
 * woke are asked first, so sockets lost in a restart are not counted.
 */
export async function admitConnection(state: HubState, shard: string, sockets: number): Promise<boolean> {
  const max = state.app.limits.maxConnections;
  if (max === null) return true;
  await confirmShards(state, "unconfirmed");
  const others = state.records.totalSubscribers() - state.records.subscribersOf(shard);
  if (others + sockets > max) return false;
  state.records.setSubscribers(shard, sockets);
  return true;
}
