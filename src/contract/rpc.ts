/**
 * What the Worker and the Beacon exchange over Durable Object RPC. Everything
 * here has already been validated by the Worker (src/rest/), so the Beacon
 * only acts on it. Values are plain data: RPC copies them by structured clone.
 */

import type { Result } from "../lib/result";
import type { RestError } from "../protocol/rest";

/**
 * WebSocket upgrades reach the Beacon by `fetch`, not RPC: the Worker names
 * the app it matched in this header...
 */
export const APP_ID_HEADER = "x-sower-app-id";
/** ... and the key the socket connected with, which the socket keeps (a pair may be retired later). */
export const APP_KEY_HEADER = "x-sower-app-key";

/** On a sharded app's upgrades: the name of the shard the socket was placed on (contract/objects.ts). */
export const SHARD_HEADER = "x-sower-shard";

/** A metered call's answer: its value, or a refusal (429) when the app is over its rate limit. */
export type Metered<T> = Result<T, RestError>;

/** Which counts a REST call asked for with `info=`. */
export interface InfoRequest {
  readonly userCount: boolean;
  readonly subscriptionCount: boolean;
  /** Only a single cache channel's endpoint may ask for its cached event. */
  readonly cache?: boolean;
}

/** Counts for one channel, named as Pusher's HTTP API names them. */
export interface ChannelAttributes {
  user_count?: number;
  subscription_count?: number;
  /** Present only when asked for and an unexpired event is cached. */
  cache?: { event: string; data: string; ttl: number };
}

export interface PublishEvent {
  readonly name: string;
  /** Sent to subscribers exactly as the backend gave it. */
  readonly data: string;
  /** Distinct, valid channel names. */
  readonly channels: readonly string[];
  /** The connection that must not receive the event. */
  readonly socketId?: string;
  readonly info?: InfoRequest;
}

/**
 * Channel name -> counts. A map, not an object: channel names come from
 * outside and may be `__proto__` or `constructor`, which an object would
 * take for its own machinery (and RPC then fails to copy it).
 */
export type ChannelCounts = Map<string, ChannelAttributes>;

/** Per event, in order: the counts of each of its channels, or null when it asked for none. */
export type PublishResult = Array<ChannelCounts | null>;

export interface ChannelsQuery {
  readonly prefix: string;
  readonly info: InfoRequest;
}

export interface ChannelState extends ChannelAttributes {
  occupied: boolean;
}

/** One presence member as the dashboard shows it: the user and the user_info their socket was authorized with. */
export interface PresenceMember {
  readonly id: string;
  /** The user_info as JSON text: RPC copies only values whose type it knows, and user_info is any JSON. */
  readonly info: string;
}
