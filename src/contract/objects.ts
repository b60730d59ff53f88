import type { App } from "../config/app";
import type { Placement, Region } from "../config/placement";
import { log } from "../log";
import { SERVER_TO_USER_PREFIX } from "../protocol/channels";

/*
 * The names of an app's Durable Objects, and the namespace they live in.
 * The Worker and the objects themselves address each other through these,
 * so one object is never known by two names. Ids, keys and channel names
 * cannot hold "/", so no two of these names can collide.
 */

/** A socket-holding object: its name, and the region it is hinted to (none without regions). */
export interface ShardAddress {
  readonly name: string;
  readonly region?: Region;
}

/**
 * Every socket-holding object of the app, in order. One shard is the app's
 * one Beacon, named by the app id as it always was. With more, shard i is
 * dealt to region i mod R, and the region is part of its name, so renaming
 * regions makes new objects near them rather than reusing misplaced ones.
 */
export function shardsOf(app: Pick<App, "id" | "placement">): ShardAddress[] {
  const placement = app.placement;
  const regions = placement?.regions ?? [];
  if (placement === undefined || placement.shards === 1) {
    const [region] = regions;
    return [region === undefined ? { name: app.id } : { name: app.id, region }];
  }
  return Array.from({ length: placement.shards }, (_, index) => {
    const region = regions[index % Math.max(1, regions.length)];
    if (region === undefined) return { name: `${app.id}/shard/${index}` };
    return { name: `${app.id}/shard/${region}/${index}`, region };
  });
}

/** The app's one Beacon when it is not sharded (its first shard when it is). */
export function firstShard<T extends Rpc.DurableObjectBranded | undefined>(
  namespace: DurableObjectNamespace<T>,
  app: Pick<App, "id" | "placement">,
): DurableObjectStub<T> {
  const [first = { name: app.id }] = shardsOf(app);
  return objectOf(namespace, app.placement, first);
}

/** Whether the app spreads its sockets over several objects (and so needs hubs). */
export function isSharded(app: Pick<App, "placement">): boolean {
  return (app.placement?.shards ?? 1) > 1;
}

/** The hub that owns one channel's app-wide state: its presence roster, cache, counts and webhooks. */
export function hubName(appId: string, channel: string): string {
  return `${appId}/channel/${channel}`;
}

/** A user's hub is the hub of the user's own channel, `#server-to-user-{id}`. */
export function userChannelName(userId: string): string {
  return `${SERVER_TO_USER_PREFIX}${userId}`;
}

/**
 * The hub that counts the app's sockets across shards, for an app-wide
 * `max_connections`: a hub of a name no channel can have ("#" begins only
 * `#server-to-user-` channels), whose subscribers per shard are sockets.
 */
export const CONNECTIONS_HUB = "#connections";

/**
 * The stub of one of the app's objects, in the app's jurisdiction and with
 * its region as the location hint (honoured only when the object is first
 * created).
 */
export function objectOf<T extends Rpc.DurableObjectBranded | undefined>(
  namespace: DurableObjectNamespace<T>,
  placement: Placement | undefined,
  address: ShardAddress | string,
): DurableObjectStub<T> {
  const { name, region } = typeof address === "string" ? { name: address, region: undefined } : address;
  const scoped = inJurisdiction(namespace, placement?.jurisdiction);
  return region === undefined ? scoped.getByName(name) : scoped.getByName(name, { locationHint: region });
}

/** What the local runtime says when asked for a jurisdiction; Cloudflare itself never does. */
const NOT_IN_LOCAL_RUNTIME = "not implemented in workerd";
let warnedLocal = false;

/**
 * The namespace restricted to the app's jurisdiction. The local runtime
 * (`wrangler dev`, the tests) has no jurisdictions and throws; there, and
 * only for that error, the plain namespace stands in, with a warning.
 */
function inJurisdiction<T extends Rpc.DurableObjectBranded | undefined>(
  namespace: DurableObjectNamespace<T>,
  jurisdiction: Placement["jurisdiction"],
): DurableObjectNamespace<T> {
  if (jurisdiction === undefined) return namespace;
  try {
    return namespace.jurisdiction(jurisdiction);
  } catch (error) {
    if (!String(error).includes(NOT_IN_LOCAL_RUNTIME)) throw error;
    if (!warnedLocal) {
      warnedLocal = true;
      log("warn", "the local runtime has no jurisdictions; objects are created without one", { jurisdiction });
    }
    return namespace;
  }
}
