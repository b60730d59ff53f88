import type { CachedEventCopy } from "../../contract/hub-rpc";
import { classifyChannel } from "../../protocol/channels";
import * as frames from "../../protocol/server-frames";
import type { ChannelCache } from "../state/channel-cache";
import type { Connection } from "../state/connection";
import type { WebhookQueue } from "../webhooks/queue";

/** Cache channels: the stored last event, and the `cache_miss` webhook a subscriber without one causes. */
export interface CachingState {
  readonly cache: ChannelCache;
  readonly webhooks: WebhookQueue;
}

/** Called for every server-triggered event (channel names checked by the Worker): only cache channels keep it. */
export function rememberIfCacheChannel(
  cache: ChannelCache,
  channel: string,
  event: string,
  data: string,
  now: number,
): void {
  if (classifyChannel(channel).cached) cache.remember(channel, event, data, now);
}

/**
 * Right after `subscription_succeeded` on a cache channel the subscriber
 * gets the cached event as if it had just been triggered, or a cache miss.
 */
export function sendCachedEvent(state: CachingState, connection: Connection, channel: string, now: number): void {
  const cached = state.cache.lookup(channel, now);
  if (cached === undefined) {
    cacheMissed(state, connection, channel);
    return;
  }
  connection.send(frames.userEvent(cached.event, channel, cached.data));
}

/**
 * On a shard the channel's hub holds the cache, answers it with the join,
 * and queues the `cache_miss` webhook itself; the subscriber gets the same
 * frames as from a Beacon's own cache.
 */
export function sendCopiedEvent(connection: Connection, channel: string, cached: CachedEventCopy | null): void {
  connection.send(cached === null ? frames.cacheMiss(channel) : frames.userEvent(cached.event, channel, cached.data));
}

/** The one place a cache miss happens: the subscriber and the `cache_miss` webhook hear of it. */
function cacheMissed(state: CachingState, connection: Connection, channel: string): void {
  connection.send(frames.cacheMiss(channel));
  state.webhooks.queue({ name: "cache_miss", channel });
}
