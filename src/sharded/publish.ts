import type { AuditRequest } from "../audit/entry";
import type { App } from "../config/app";
import { historyFor } from "../config/history";
import type { CachedEventCopy, Route, RoutedEntry, RouteRequest, ShardEvent } from "../contract/hub-rpc";
import type { ChannelAttributes, PublishEvent, PublishResult } from "../contract/rpc";
import { withDeadline } from "../lib/deadline";
import { utf8Length } from "../lib/text";
import { classifyChannel } from "../protocol/channels";
import type { ShardedObjects } from "./objects";

/** How long a publish waits for a shard before answering without it. */
export const SHARD_DELIVERY_DEADLINE_MS = 5000;

/**
 * `POST /events` and `/batch_events` for a sharded app. Each channel's hub
 * is asked once (it keeps a cache channel's last event, numbers and stores a
 * history channel's events, and names the shards with subscribers); a hub that fails fails the call before anything is
 * sent, so a retry sends nothing twice. Then each of those shards gets, in
 * one call, the batch's events in order, each cut to the channels it holds:
 * a subscriber sees a batch in order, and since the answer waits for every
 * shard, events answered one after another arrive one after another.
 * The first channel's hub records the call (docs/audit.md) and counts it
 * for the app's statistics: no hop is added, and no one object is on the
 * path of every trigger.
 */
export async function publishAcrossShards(
  objects: ShardedObjects,
  events: readonly PublishEvent[],
  audit?: AuditRequest,
): Promise<PublishResult> {
  const appId = objects.app.id;
  const requests = routeRequests(objects.app, events);
  const routes = new Map<string, Route>(
    await Promise.all(
      [...requests].map(async ([channel, request], index) => {
        const first = index === 0;
        const counted = first ? { ...request, trigger: triggerFigures(events) } : request;
        return [channel, await objects.hub(channel).route(appId, channel, counted, first ? audit : undefined)] as const;
      }),
    ),
  );
  const subscribers = new Map<string, number>();
  await Promise.all(
    [...perShard(events, routes)].map(async ([shard, shardEvents]) => {
      try {
        const counts = await withDeadline(
          objects.shard(shard).deliver(appId, shard, shardEvents),
          SHARD_DELIVERY_DEADLINE_MS,
        );
        for (const [channel, count] of counts) subscribers.set(channel, (subscribers.get(channel) ?? 0) + count);
      } catch (error) {
        objects.failed(shard, "publish", error);
      }
    }),
  );
  return events.map((event) => {
    const { info } = event;
    if (info === undefined) return null;
    return new Map(
      event.channels.map((channel) => {
        const attributes: ChannelAttributes = {};
        if (info.userCount) attributes.user_count = routes.get(channel)?.userCount ?? 0;
        if (info.subscriptionCount) attributes.subscription_count = subscribers.get(channel) ?? 0;
        return [channel, attributes] as const;
      }),
    );
  });
}

/** A trigger as one Beacon counts it: each event once, whatever its channels, with the bytes of its data. */
function triggerFigures(events: readonly PublishEvent[]): { events: number; bytesIn: number } {
  return { events: events.length, bytesIn: events.reduce((sum, event) => sum + utf8Length(event.data), 0) };
}

/**
 * One request per channel: the batch's last event for a cache channel, its
 * events in order for a history channel, and whether a user count is wanted.
 */
function routeRequests(app: App, events: readonly PublishEvent[]): Map<string, RouteRequest> {
  const requests = new Map<string, { cache?: CachedEventCopy; userCount: boolean; store?: RoutedEntry[] }>();
  for (const event of events) {
    for (const channel of event.channels) {
      const request = requests.get(channel) ?? { userCount: false };
      if (classifyChannel(channel).cached) request.cache = { event: event.name, data: event.data };
      if (historyFor(app.history, channel) !== undefined) {
        request.store ??= [];
        const { name, data, socketId } = event;
        request.store.push(socketId === undefined ? { name, data } : { name, data, socketId });
      }
      request.userCount ||= event.info?.userCount ?? false;
      requests.set(channel, request);
    }
  }
  return requests;
}

/**
 * For each shard, the events in order, each with only the channels that
 * shard has subscribers of, and each history channel's serial (its route's
 * serials, taken in the batch's order).
 */
function perShard(events: readonly PublishEvent[], routes: ReadonlyMap<string, Route>): Map<string, ShardEvent[]> {
  const shards = new Map<string, ShardEvent[]>();
  const taken = new Map<string, number>();
  for (const event of events) {
    const channelsOn = new Map<string, { channels: string[]; serials: Array<number | null> }>();
    for (const channel of event.channels) {
      const route = routes.get(channel);
      const index = taken.get(channel) ?? 0;
      const serial = route?.serials?.[index] ?? null;
      if (serial !== null) taken.set(channel, index + 1);
      for (const shard of route?.shards ?? []) {
        const on = channelsOn.get(shard) ?? { channels: [], serials: [] };
        on.channels.push(channel);
        on.serials.push(serial);
        channelsOn.set(shard, on);
      }
    }
    let shownBy: string | undefined;
    for (const [shard, { channels, serials }] of channelsOn) {
      shownBy ??= shard;
      const shardEvent: ShardEvent = {
        name: event.name,
        data: event.data,
        channels,
        ...(event.socketId === undefined ? {} : { socketId: event.socketId }),
        ...(serials.some((serial) => serial !== null) ? { serials } : {}),
        ...(shard === shownBy ? { shown: event.channels } : {}),
      };
      const list = shards.get(shard);
      if (list === undefined) shards.set(shard, [shardEvent]);
      else list.push(shardEvent);
    }
  }
  return shards;
}
