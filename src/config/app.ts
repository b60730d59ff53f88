import { LIMITS } from "../protocol/constants";
import type { WebhookEventType } from "../protocol/webhooks";
import type { HistoryPolicy } from "./history";
import type { Placement } from "./placement";

/**
 * Everything the server needs to know about one app. Option names follow
 * soketi's app options (the de-facto standard for self-hosted Pusher servers),
 * with Pusher's defaults; `null` means unlimited.
 */
export interface App {
  readonly id: string;
  /**
   * The primary pair (`key`/`secret`, or APP_KEY/APP_SECRET). It is never
   * retired, signs webhooks, and is the key of sockets an earlier release
   * accepted without recording one.
   */
  readonly key: string;
  readonly secret: string;
  /**
   * Every key/secret pair, the primary first. Sockets may connect with any
   * key not retired, and REST calls and auth tokens may be signed with any
   * such pair: that is what lets a pair be replaced without downtime.
   */
  readonly keys: readonly AppKey[];
  readonly enabled: boolean;
  readonly enableClientMessages: boolean;
  /** Whether `pusher:signin` (user authentication) is required on every socket. */
  readonly enableUserAuthentication: boolean;
  /** How long a socket may stay neither signed in nor privately subscribed, when required. */
  readonly userAuthenticationTimeoutMs: number;
  /** Opt-in `pusher_internal:subscription_count` events on non-presence channels. */
  readonly subscriptionCountEvents: boolean;
  /** Origins allowed to open sockets; empty means any origin. */
  readonly allowedOrigins: readonly string[];
  readonly webhooks: readonly WebhookEndpoint[];
  readonly limits: AppLimits;
  /** Whether the app's calls are recorded in the audit log (docs/audit.md); on unless set off. */
  readonly audit: boolean;
  /** Which channels keep history (docs/history.md); none when unset. */
  readonly history?: HistoryPolicy;
  /** Shards, regions and jurisdiction; absent when none is set: one Beacon, placed by the platform. */
  readonly placement?: Placement;
}

export interface AppKey {
  readonly key: string;
  readonly secret: string;
  /** Refused for new sockets, REST calls and auth; sockets still open with it are closed. */
  readonly retired: boolean;
}

export interface AppLimits {
  readonly maxConnections: number | null;
  readonly maxClientEventsPerSecond: number;
  readonly maxBackendEventsPerSecond: number | null;
  readonly maxReadRequestsPerSecond: number | null;
  readonly maxPresenceMembersPerChannel: number;
  readonly maxPresenceMemberSizeBytes: number;
  readonly maxChannelNameLength: number;
  readonly maxEventChannelsAtOnce: number;
  readonly maxEventNameLength: number;
  readonly maxEventPayloadBytes: number;
  readonly maxEventBatchSize: number;
}

export interface WebhookEndpoint {
  readonly url: string;
  /** Which events this endpoint receives. */
  readonly eventTypes: readonly WebhookEventType[];
  /** Only channels whose names match are sent; both parts optional. */
  readonly filter: { readonly channelNameStartsWith?: string; readonly channelNameEndsWith?: string };
  readonly headers: Readonly<Record<string, string>>;
}

/** Pusher's published defaults (docs/protocol.md §14). */
export const DEFAULT_LIMITS: AppLimits = {
  maxConnections: null,
  maxClientEventsPerSecond: LIMITS.clientEventsPerSecond,
  maxBackendEventsPerSecond: null,
  maxReadRequestsPerSecond: null,
  maxPresenceMembersPerChannel: LIMITS.presenceMembers,
  maxPresenceMemberSizeBytes: LIMITS.presenceUserInfoBytes,
  maxChannelNameLength: LIMITS.channelNameLength,
  maxEventChannelsAtOnce: LIMITS.channelsPerTrigger,
  maxEventNameLength: LIMITS.eventNameLength,
  maxEventPayloadBytes: LIMITS.eventDataBytes,
  maxEventBatchSize: LIMITS.eventsPerBatch,
};

export const DEFAULT_USER_AUTHENTICATION_TIMEOUT_MS = 30_000;

/** Ids and keys travel in URL paths (`/app/{key}`, `/apps/{id}/...`) and name the Beacon. */
export const IDENTIFIER = /^[A-Za-z0-9_.-]{1,100}$/;
export const IDENTIFIER_RULE = "must be a string of letters, digits, '_', '-' or '.' (at most 100)";

/** Below this a secret is too easy to guess to sign anything with. */
export const MIN_SECRET_LENGTH = 16;
