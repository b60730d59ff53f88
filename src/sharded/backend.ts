import type { AuditRequest } from "../audit/entry";
import type { App } from "../config/app";
import type { HistoryPage, HistoryQuery } from "../contract/history";
import { firstShard, isSharded, userChannelName } from "../contract/objects";
import type {
  ChannelCounts,
  ChannelState,
  ChannelsQuery,
  InfoRequest,
  Metered,
  PresenceMember,
  PublishEvent,
  PublishResult,
} from "../contract/rpc";
import type { StatsSnapshot } from "../contract/stats";
import { ok } from "../lib/result";
import { ShardedObjects } from "./objects";
import { publishAcrossShards } from "./publish";
import { channelAcrossShards, listAcrossShards, membersAcrossShards, usersAcrossShards } from "./reads";
import { appStats } from "./stats";

/**
 * What a REST call asks of an app, in the Beacon's own terms: its one
 * Beacon answers these directly; a sharded app's hubs and shards answer
 * them together, as one Beacon would.
 */
export interface AppBackend {
  /** `audit` is recorded by the object that handles the call, in the same step (docs/audit.md). */
  publish(appId: string, events: PublishEvent[], audit?: AuditRequest): Promise<Metered<PublishResult>>;
  channelsInfo(appId: string, query: ChannelsQuery): Promise<Metered<ChannelCounts>>;
  channelInfo(appId: string, channel: string, info: InfoRequest): Promise<Metered<ChannelState>>;
  channelUsers(appId: string, channel: string): Promise<Metered<Array<{ id: string }>>>;
  channelHistory(appId: string, channel: string, query: HistoryQuery): Promise<Metered<HistoryPage>>;
  /** Not REST: the dashboard's presence members with their user_info. */
  channelMembers(appId: string, channel: string): Promise<Metered<PresenceMember[]>>;
  terminateUserConnections(appId: string, userId: string, audit?: AuditRequest): Promise<Metered<number>>;
  readStats(appId: string): Promise<Metered<StatsSnapshot>>;
  /** Shards that failed their part of the calls made so far; always 0 for one Beacon. */
  readonly failedShards: number;
}

/** The app's backend for one REST call. */
export function backendFor(app: App, beacons: Env["BEACON"], hubs: Env["HUB"]): AppBackend {
  if (!isSharded(app)) {
    const beacon = firstShard(beacons, app);
    return {
      publish: (appId, events, audit) => beacon.publish(appId, events, audit),
      channelsInfo: (appId, query) => beacon.channelsInfo(appId, query),
      channelInfo: (appId, channel, info) => beacon.channelInfo(appId, channel, info),
      channelUsers: (appId, channel) => beacon.channelUsers(appId, channel),
      channelHistory: (appId, channel, query) => beacon.channelHistory(appId, channel, query),
      channelMembers: (appId, channel) => beacon.channelMembers(appId, channel),
      terminateUserConnections: (appId, userId, audit) => beacon.terminateUserConnections(appId, userId, audit),
      readStats: (appId) => beacon.readStats(appId),
      failedShards: 0,
    };
  }
  const objects = new ShardedObjects(app, beacons, hubs);
  // A sharded app has no per-second limits (config/placement.ts), so nothing here is refused with 429.
  return {
    publish: async (_appId, events, audit) => ok(await publishAcrossShards(objects, events, audit)),
    channelsInfo: async (_appId, query) => ok(await listAcrossShards(objects, query)),
    channelInfo: async (_appId, channel, info) => ok(await channelAcrossShards(objects, channel, info)),
    channelUsers: async (_appId, channel) => ok(await usersAcrossShards(objects, channel)),
    // A history channel's events are stored by its hub (docs/history.md).
    channelHistory: async (appId, channel, query) =>
      ok(await objects.hub(channel).channelHistory(appId, channel, query)),
    channelMembers: async (_appId, channel) => ok(await membersAcrossShards(objects, channel)),
    terminateUserConnections: async (appId, userId, audit) => {
      const channel = userChannelName(userId);
      return ok(await objects.hub(channel).terminate(appId, channel, audit));
    },
    readStats: () => appStats(app, beacons),
    get failedShards() {
      return objects.failedShards;
    },
  };
}
