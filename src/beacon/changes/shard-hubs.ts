import type { App } from "../../config/app";
import type { ShardReport } from "../../contract/hub-rpc";
import { CONNECTIONS_HUB } from "../../contract/objects";
import { withDeadline } from "../../lib/deadline";
import { log } from "../../log";
import { classifyChannel } from "../../protocol/channels";
import type { ChannelIndex } from "../state/channel-index";
import type { Connections } from "../state/connections";
import type { DueWork } from "../state/due-work";
import type { HubLinks } from "../state/hub-links";
import type { UserIndex } from "../state/user-index";
import type { WatchlistIndex } from "../state/watchlist-index";
import type { WebhookQueue } from "../webhooks/queue";
import { type CountAudience, countsWanted } from "./subscription-count";

/*
 * A shard of a sharded app keeps each channel's hub told of what it holds
 * (docs/scaling.md). Joins are asked for and answered (handlers/hub-join.ts);
 * everything else reaches the hub as a report of the shard's whole part of
 * the channel, sent from the due-work table: it survives eviction, is tried
 * again when the hub does not answer, and coalesces a burst of leaves into
 * one call.
 */

/** What a shard reads and schedules to keep its hubs told. */
export interface ShardState {
  readonly app: App;
  readonly connections: Connections;
  readonly links: HubLinks;
  readonly dueWork: DueWork;
  readonly channels: ChannelIndex;
  readonly users: UserIndex;
  readonly watchlist: WatchlistIndex;
  readonly webhooks: WebhookQueue;
}

/** What scheduling a report reads: who hears of counts, and the due-work table. */
type ScheduleState = CountAudience & { readonly dueWork: DueWork };

/** How long a shard waits for a hub before trying again later. */
const HUB_DEADLINE_MS = 5000;
const RETRY_MS = 10_000;

/** Tells the channel's hub, after `delayMs`, what this shard then holds of it. */
export function reportSoon(state: { readonly dueWork: DueWork }, hubChannel: string, delayMs = 0): void {
  state.dueWork.schedule("hub-report", hubChannel, Date.now() + delayMs);
}

/**
 * A socket left the channel here. A presence member, or the shard's last
 * subscriber, is reported at once; otherwise only the count changed, which
 * is reported when anyone hears of it.
 */
export function shardLeft(state: ScheduleState, channel: string, wasMember: boolean, remaining: number): void {
  if (wasMember || remaining === 0) reportSoon(state, channel);
  else shardCountChanged(state, channel);
}

/**
 * Reported at once (one report for a burst, the alarm's work): the hub
 * gathers the app-wide count for SUBSCRIPTION_COUNT_DELAY_MS from the first
 * change it hears of, and must have every shard's change by then.
 */
export function shardCountChanged(state: ScheduleState, channel: string): void {
  if (countsWanted(state, channel)) reportSoon(state, channel);
}

/**
 * Everything this shard holds of a hub's channel (and, for a user's hub, of
 * the user), as of now; for the app's connection count, its sockets.
 */
export function shardReport(state: ShardState, hubChannel: string): ShardReport {
  if (hubChannel === CONNECTIONS_HUB) {
    const sockets = state.links.admissions.report(state.connections.size);
    return { shard: state.links.shard, subscribers: sockets, members: [], signedIn: [], watchers: [], joining: [] };
  }
  const joining = state.links.joining(hubChannel);
  const subscribed = new Set<string>();
  const members: string[] = [];
  for (const connection of state.channels.subscribers(hubChannel)) {
    subscribed.add(connection.id);
    if (connection.channels.get(hubChannel) != null) members.push(connection.id);
  }
  // A subscriber whose join is answered but not yet applied here is one already.
  const arriving = state.links.joining(hubChannel, true).filter((socketId) => !subscribed.has(socketId)).length;
  const userId = classifyChannel(hubChannel).userId;
  const ids = (sockets: Iterable<{ readonly id: string }>) => Array.from(sockets, (connection) => connection.id);
  return {
    shard: state.links.shard,
    subscribers: subscribed.size + arriving,
    members,
    signedIn: userId === undefined ? [] : ids(state.users.socketsOf(userId)),
    watchers: userId === undefined ? [] : ids(state.watchlist.watchersOf(userId)),
    joining,
  };
}

/** Alarm runner: the due reports, each to its hub; one that fails is tried again later. */
export async function sendReports(state: ShardState, hubChannels: readonly string[]): Promise<void> {
  await Promise.all(
    hubChannels.map(async (channel) => {
      try {
        await withDeadline(
          state.links.hub(channel).report(state.app.id, channel, shardReport(state, channel)),
          HUB_DEADLINE_MS,
        );
      } catch (error) {
        log("warn", "a hub missed a shard's report; it is sent again", {
          app: state.app.id,
          shard: state.links.shard,
          channel,
          retryInMs: RETRY_MS,
          error: String(error),
        });
        reportSoon(state, channel, RETRY_MS);
      }
    }),
  );
}

/**
 * A client event, once this shard's own subscribers have it: the hub hands
 * it to every other shard with subscribers of the channel. Calls on one
 * stub keep their order, so a sender's events reach each shard in order.
 */
export async function relayToHub(app: App, links: HubLinks, channel: string, frame: string): Promise<void> {
  try {
    await links.hub(channel).relay(app.id, channel, links.shard, frame);
  } catch (error) {
    log("error", "a client event reached this shard's subscribers only", {
      app: app.id,
      shard: links.shard,
      channel,
      error: String(error),
    });
  }
}

/** A socket went: an app with `max_connections` counts it out. */
export function socketGone(state: { readonly app: App; readonly dueWork: DueWork }): void {
  if (state.app.limits.maxConnections !== null) reportSoon(state, CONNECTIONS_HUB);
}
