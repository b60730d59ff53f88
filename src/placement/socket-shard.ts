import type { App } from "../config/app";
import { type ShardAddress, shardsOf } from "../contract/objects";
import { clientPoint, nearestRegion } from "./nearest-region";

/**
 * The shard a new socket goes to: one of those dealt to the region nearest
 * the client, picked at random so sockets spread evenly within the region.
 * Without regions, or without a usable location, any shard may take it.
 * `random` is in [0, 1), as Math.random gives.
 */
export function shardForSocket(
  app: Pick<App, "id" | "placement">,
  cf: unknown,
  random: number = Math.random(),
): ShardAddress {
  const shards = shardsOf(app);
  const point = clientPoint(cf);
  const region = point === undefined ? undefined : nearestRegion(point, app.placement?.regions ?? []);
  const candidates = region === undefined ? shards : shards.filter((shard) => shard.region === region);
  const pool = candidates.length > 0 ? candidates : shards;
  const chosen = pool[Math.min(pool.length - 1, Math.floor(random * pool.length))];
  if (chosen === undefined) throw new Error(`app '${app.id}' has no shards`);
  return chosen;
}
