/**
 * What a sharded app's objects tell each other over Durable Object RPC: the
 * shards (Beacons holding sockets) and the hubs (one per channel, owning its
 * app-wide state). See docs/scaling.md. Values are plain data: RPC copies
 * them by structured clone.
 */

import type { HistoryEntry, HistoryPosition, Missed } from "./history";
import type { ChannelAttributes } from "./rpc";

/**
 * A presence member as a shard admits it: the signed user, and its
 * user_info as JSON text (as signed, so that every shard shows the same
 * member, and plain data for RPC).
 */
export interface HubMember {
  readonly userId: string;
  readonly infoJson: string;
}

/** A socket of a shard asks to join a hub's channel. */
export interface JoinRequest {
  readonly shard: string;
  readonly socketId: string;
  /** Presence channels: the member the socket joins as. */
  readonly member?: HubMember;
  /** The shard's subscribers of the channel once this socket is in. */
  readonly subscribers: number;
  /** Cache channels: the answer carries the cached event (or says there is none). */
  readonly wantsCache: boolean;
  /**
   * History channels: the answer carries the channel's position as the shard
   * is attached, and with `resume`, the events after it that the socket missed.
   */
  readonly history?: { readonly resume?: HistoryPosition };
}

/** An event to store, with the socket its REST call left out. */
export interface RoutedEntry extends HistoryEntry {
  readonly socketId?: string;
}

/** A hub's answer to a shard's gap: the stored events, and the socket each left out when the hub remembers it. */
export interface FilledGap {
  readonly missed: Missed;
  readonly exclusions: ReadonlyArray<{ readonly serial: number; readonly socketId: string }>;
}

/** A history channel's part of a join's answer. */
export interface JoinedHistory {
  /** The channel's position when the shard was attached: later events reach the shard, earlier ones do not. */
  readonly position: HistoryPosition;
  readonly missed?: Missed;
}

export interface CachedEventCopy {
  readonly event: string;
  readonly data: string;
}

export type JoinAnswer =
  | {
      readonly ok: true;
      /** The hub's frame sequence the answer reflects; frames numbered above it came later. */
      readonly seq: number;
      /** Presence channels: the `subscription_succeeded` frame, with the app-wide roster. */
      readonly succeeded?: string;
      /** Cache channels only: the cached event, or null for a miss. */
      readonly cached?: CachedEventCopy | null;
      readonly history?: JoinedHistory;
    }
  | { readonly ok: false; readonly error: string };

/**
 * All a shard holds of one hub's channel, as of now. The hub drops what the
 * report leaves out and never adds from it: joining is `join`'s, which checks
 * and answers. `joining` lists sockets whose join is still in flight, so a
 * report that overtakes their answer cannot drop them.
 */
export interface ShardReport {
  readonly shard: string;
  readonly subscribers: number;
  /** Presence channels: the shard's member sockets. */
  readonly members: readonly string[];
  /** A user's hub: the shard's sockets signed in as the user. */
  readonly signedIn: readonly string[];
  /** A user's hub: the shard's sockets whose watchlist names the user. */
  readonly watchers: readonly string[];
  readonly joining: readonly string[];
}

/** A frame a hub hands to a shard for its subscribers of a channel. */
export interface HubFrame {
  readonly channel: string;
  readonly frame: string;
  /** Hub frames are numbered in the order the hub sent them. */
  readonly seq: number;
  /** The socket that must not get it (the one that caused it). */
  readonly except?: string;
  /** The shard that caused it gets nothing (a client event its own sockets already had). */
  readonly exceptShard?: string;
  /** A history channel's stored event: its serial orders it among the channel's other deliveries. */
  readonly serial?: number;
}

/** What the Worker asks a channel's hub before a publish. */
export interface RouteRequest {
  /** Cache channels: the event to keep as the channel's last. */
  readonly cache?: CachedEventCopy;
  readonly userCount: boolean;
  /** History channels: the batch's events to the channel, in order, to be stored and numbered. */
  readonly store?: readonly RoutedEntry[];
  /** The first channel's only: the trigger as the app's statistics count it (one API call, its events and their bytes). */
  readonly trigger?: { readonly events: number; readonly bytesIn: number };
}

export interface Route {
  /** Shards with subscribers of the channel, by name. */
  readonly shards: readonly string[];
  readonly userCount?: number;
  /** The serial of each event of `store`, in its order. */
  readonly serials?: readonly number[];
}

/** One event for one shard, limited to the channels that shard is attached to. */
export interface ShardEvent {
  readonly name: string;
  readonly data: string;
  readonly channels: readonly string[];
  readonly socketId?: string;
  /** Each channel's serial, in the order of `channels` (null for a channel without history). */
  readonly serials?: ReadonlyArray<number | null>;
  /**
   * The event's every channel, given to one of the shards that deliver it:
   * that shard's console shows the event, so the app's debug console shows
   * it once however many shards deliver it.
   */
  readonly shown?: readonly string[];
}

/** A shard's occupied channels for `GET /channels`, with what it holds of each. */
export type ShardChannels = Map<string, { subscribers: number; users?: string[] }>;

/** A channel's app-wide state, as the hub answers REST reads. */
export interface HubChannelState extends ChannelAttributes {
  occupied: boolean;
  /** Shards that did not answer, whose subscribers are left out of the figures. */
  unanswered: number;
}
