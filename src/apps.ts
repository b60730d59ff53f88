import { LIMITS } from "./protocol/constants";

/** Everything the server needs to know about one app. */
export interface App {
  readonly id: string;
  readonly key: string;
  readonly secret: string;
  readonly enabled: boolean;
  readonly enableClientMessages: boolean;
  readonly limits: AppLimits;
}

export interface AppLimits {
  readonly maxClientEventsPerSecond: number;
  readonly maxPresenceMembersPerChannel: number;
  readonly maxPresenceMemberSizeBytes: number;
  readonly maxChannelNameLength: number;
}

/** Pusher's published defaults (PROTOCOL.md §2). */
export const DEFAULT_LIMITS: AppLimits = {
  maxClientEventsPerSecond: LIMITS.clientEventsPerSecond,
  maxPresenceMembersPerChannel: LIMITS.presenceMembers,
  maxPresenceMemberSizeBytes: LIMITS.presenceUserInfoBytes,
  maxChannelNameLength: LIMITS.channelNameLength,
};

/** Below this a secret is too easy to guess to sign anything with. */
export const MIN_SECRET_LENGTH = 16;

export interface AppsEnv {
  readonly APP_ID?: string;
  readonly APP_KEY?: string;
  readonly APP_SECRET?: string;
  readonly ENABLE_CLIENT_MESSAGES?: string;
}

export type AppRegistry =
  | { ok: true; byKey(key: string): App | undefined; byId(id: string): App | undefined }
  | { ok: false; problem: string };

/**
 * Reads the apps from the environment. A missing or weak secret disables the
 * whole deployment rather than letting anyone forge signatures.
 */
export function loadApps(env: AppsEnv): AppRegistry {
  const secret = env.APP_SECRET ?? "";
  if (secret.length < MIN_SECRET_LENGTH) {
    return {
      ok: false,
      problem:
        `APP_SECRET is ${secret.length === 0 ? "not set" : "shorter than 16 characters"}. ` +
        "Set it with `wrangler secret put APP_SECRET` (or in .dev.vars when running locally).",
    };
  }
  const app: App = {
    id: env.APP_ID || "sower",
    key: env.APP_KEY || "sower-key",
    secret,
    enabled: true,
    enableClientMessages: env.ENABLE_CLIENT_MESSAGES !== "false",
    limits: DEFAULT_LIMITS,
  };
  return {
    ok: true,
    byKey: (key) => (key === app.key ? app : undefined),
    byId: (id) => (id === app.id ? app : undefined),
  };
}
