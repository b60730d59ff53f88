import { ok } from "../lib/result";
import {
  type App,
  DEFAULT_LIMITS,
  DEFAULT_USER_AUTHENTICATION_TIMEOUT_MS,
  MIN_SECRET_LENGTH,
  type WebhookEndpoint,
} from "./app";
import { parseAppsJson } from "./apps-json";
import { parseWebhookEndpointsJson } from "./webhooks";

export interface AppsEnv {
  /** A JSON list of apps; when set, it alone defines the apps and APP_* are ignored. */
  readonly APPS?: string;
  readonly APP_ID?: string;
  readonly APP_KEY?: string;
  readonly APP_SECRET?: string;
  readonly ENABLE_CLIENT_MESSAGES?: string;
  readonly SUBSCRIPTION_COUNT_EVENTS?: string;
  readonly ENABLE_USER_AUTHENTICATION?: string;
  readonly USER_AUTHENTICATION_TIMEOUT_MS?: string;
  /** JSON list of webhook endpoints for the single app of APP_ID (see webhook-config.ts). */
  readonly WEBHOOKS?: string;
}

export interface AppRegistry {
  readonly ok: true;
  byKey(key: string): App | undefined;
  byId(id: string): App | undefined;
  /** Every app, in configuration order. */
  all(): readonly App[];
}

export type AppsResult = AppRegistry | { ok: false; problem: string };

/** The settings the registry is built from, in a fixed order. */
const SOURCES = [
  "APPS",
  "APP_ID",
  "APP_KEY",
  "APP_SECRET",
  "ENABLE_CLIENT_MESSAGES",
  "SUBSCRIPTION_COUNT_EVENTS",
  "ENABLE_USER_AUTHENTICATION",
  "USER_AUTHENTICATION_TIMEOUT_MS",
  "WEBHOOKS",
] as const;

/**
 * Parsing runs once per isolate and configuration, not once per request:
 * the settings are compared one by one (the same strings each time, so
 * cheaply) rather than joined into a key that would copy a large APPS.
 */
let cached: { sources: ReadonlyArray<string | undefined>; result: AppsResult } | undefined;

/**
 * Reads the apps from the environment: the APPS list when it is set, else the
 * one app of APP_ID / APP_KEY / APP_SECRET. A bad configuration refuses every
 * app rather than serving a half-applied one; a missing or weak secret refuses
 * rather than letting anyone forge signatures.
 */
export function loadApps(env: AppsEnv): AppsResult {
  const sources = SOURCES.map((name) => env[name]);
  if (cached === undefined || sources.some((value, index) => value !== cached?.sources[index])) {
    cached = { sources, result: readApps(env) };
  }
  return cached.result;
}

function readApps(env: AppsEnv): AppsResult {
  const webhooksText = env.WEBHOOKS?.trim() ?? "";
  if (env.APPS !== undefined && env.APPS.trim() !== "") {
    if (webhooksText !== "") {
      return {
        ok: false,
        problem: "WEBHOOKS configures the single app of APP_ID; with APPS, give each app its own webhooks list",
      };
    }
    const parsed = parseAppsJson(env.APPS);
    return parsed.ok ? registry(parsed.apps) : parsed;
  }
  const secret = env.APP_SECRET ?? "";
  if (secret.length < MIN_SECRET_LENGTH) {
    return {
      ok: false,
      problem:
        `APP_SECRET is ${secret.length === 0 ? "not set" : `shorter than ${MIN_SECRET_LENGTH} characters`}. ` +
        "Set it with `wrangler secret put APP_SECRET` (or in .dev.vars when running locally), or define apps in APPS.",
    };
  }
  const webhooks =
    webhooksText === "" ? ok<WebhookEndpoint[]>([]) : parseWebhookEndpointsJson(webhooksText, "WEBHOOKS");
  if (!webhooks.ok) return { ok: false, problem: webhooks.error };
  const timeout = env.USER_AUTHENTICATION_TIMEOUT_MS?.trim() ?? "";
  if (timeout !== "" && !/^[1-9]\d{0,8}$/.test(timeout)) {
    return { ok: false, problem: "USER_AUTHENTICATION_TIMEOUT_MS must be a whole number of milliseconds above 0" };
  }
  return registry([
    {
      id: env.APP_ID || "sower",
      key: env.APP_KEY || "sower-key",
      secret,
      enabled: true,
      enableClientMessages: env.ENABLE_CLIENT_MESSAGES !== "false",
      enableUserAuthentication: env.ENABLE_USER_AUTHENTICATION === "true",
      userAuthenticationTimeoutMs: timeout === "" ? DEFAULT_USER_AUTHENTICATION_TIMEOUT_MS : Number(timeout),
      subscriptionCountEvents: env.SUBSCRIPTION_COUNT_EVENTS === "true",
      allowedOrigins: [],
      webhooks: webhooks.value,
      limits: DEFAULT_LIMITS,
    },
  ]);
}

function registry(apps: readonly App[]): AppRegistry {
  const byKey = new Map(apps.map((app) => [app.key, app]));
  const byId = new Map(apps.map((app) => [app.id, app]));
  return { ok: true, byKey: (key) => byKey.get(key), byId: (id) => byId.get(id), all: () => apps };
}
