import { LIMITS } from "./protocol/constants";
import type { WebhookEventType } from "./protocol/webhooks";
import { parseWebhookEndpointsJson } from "./webhook-config";

/**
 * Everything the server needs to know about one app. Option names follow
 * soketi's app options (the de-facto standard for self-hosted Pusher servers),
 * with Pusher's defaults; `null` means unlimited.
 */
export interface App {
  readonly id: string;
  readonly key: string;
  readonly secret: string;
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

export type { WebhookEventType } from "./protocol/webhooks";

export interface WebhookEndpoint {
  readonly url: string;
  /** Which events this endpoint receives. */
  readonly eventTypes: readonly WebhookEventType[];
  /** Only channels whose names match are sent; both parts optional. */
  readonly filter: { readonly channelNameStartsWith?: string; readonly channelNameEndsWith?: string };
  readonly headers: Readonly<Record<string, string>>;
}

/** Pusher's published defaults (PROTOCOL.md §2). */
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

/** Below this a secret is too easy to guess to sign anything with. */
export const MIN_SECRET_LENGTH = 16;

export interface AppsEnv {
  readonly APP_ID?: string;
  readonly APP_KEY?: string;
  readonly APP_SECRET?: string;
  readonly ENABLE_CLIENT_MESSAGES?: string;
  /** JSON list of webhook endpoints for the default app (see webhook-config.ts). */
  readonly WEBHOOKS?: string;
  readonly SUBSCRIPTION_COUNT_EVENTS?: string;
  readonly ENABLE_USER_AUTHENTICATION?: string;
  readonly USER_AUTHENTICATION_TIMEOUT_MS?: string;
}

export interface AppRegistry {
  readonly ok: true;
  byKey(key: string): App | undefined;
  byId(id: string): App | undefined;
}

/**
 * Reads the apps from the environment. A missing or weak secret disables the
 * whole deployment rather than letting anyone forge signatures.
 */
export function loadApps(env: AppsEnv): AppRegistry | { ok: false; problem: string } {
  const secret = env.APP_SECRET ?? "";
  if (secret.length < MIN_SECRET_LENGTH) {
    return {
      ok: false,
      problem:
        `APP_SECRET is ${secret.length === 0 ? "not set" : "shorter than 16 characters"}. ` +
        "Set it with `wrangler secret put APP_SECRET` (or in .dev.vars when running locally).",
    };
  }
  const webhooks = defaultAppWebhooks(env.WEBHOOKS);
  if (!webhooks.ok) return { ok: false, problem: webhooks.error };
  const app: App = {
    id: env.APP_ID || "sower",
    key: env.APP_KEY || "sower-key",
    secret,
    enabled: true,
    enableClientMessages: env.ENABLE_CLIENT_MESSAGES !== "false",
    enableUserAuthentication: env.ENABLE_USER_AUTHENTICATION === "true",
    userAuthenticationTimeoutMs:
      positiveInteger(env.USER_AUTHENTICATION_TIMEOUT_MS) ?? DEFAULT_USER_AUTHENTICATION_TIMEOUT_MS,
    subscriptionCountEvents: env.SUBSCRIPTION_COUNT_EVENTS === "true",
    allowedOrigins: [],
    webhooks: webhooks.value,
    limits: DEFAULT_LIMITS,
  };
  return {
    ok: true,
    byKey: (key) => (key === app.key ? app : undefined),
    byId: (id) => (id === app.id ? app : undefined),
  };
}

/**
 * The registry is rebuilt on every request and every Beacon event, so the
 * last parse is kept: the variable only changes with a new deployment.
 */
let lastWebhooks: { text: string; parsed: ReturnType<typeof parseWebhookEndpointsJson> } | undefined;

function defaultAppWebhooks(text: string | undefined): ReturnType<typeof parseWebhookEndpointsJson> {
  if (text === undefined || text.trim() === "") return { ok: true, value: [] };
  if (lastWebhooks?.text !== text) lastWebhooks = { text, parsed: parseWebhookEndpointsJson(text, "WEBHOOKS") };
  return lastWebhooks.parsed;
}

/** A whole number above zero, or undefined for anything else (unset, "", "abc", "-5"). */
function positiveInteger(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  const number = Number(value);
  return number > 0 ? number : undefined;
}
