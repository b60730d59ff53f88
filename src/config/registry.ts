import type { App } from "./app";
import { parseAppsJson } from "./apps-json";
import { parseSingleAppEnv, SINGLE_APP_SETTINGS } from "./env";

/**
 * Every setting the apps are read from. APPS, a JSON list of apps, alone
 * defines them when it is set; otherwise the single app's settings do.
 */
export const APP_SETTINGS = ["APPS", ...SINGLE_APP_SETTINGS] as const;

export type AppsEnv = { readonly [Setting in (typeof APP_SETTINGS)[number]]?: string };

export interface AppRegistry {
  readonly ok: true;
  /** The app that lists `key` among its pairs, retired or not (see findKey). */
  byKey(key: string): App | undefined;
  byId(id: string): App | undefined;
  /** Every app, in configuration order. */
  all(): readonly App[];
}

export type AppsResult = AppRegistry | { ok: false; problem: string };

/**
 * Parsing runs once per isolate and configuration, not once per request:
 * the settings are compared one by one (the same strings each time, so
 * cheaply) rather than joined into a key that would copy a large APPS.
 */
let cached: { sources: ReadonlyArray<string | undefined>; result: AppsResult } | undefined;

/**
 * Reads the apps from the environment: the APPS list when it is set, else the
 * one app of APP_ID / APP_KEY / APP_SECRET (and APP_KEYS). A bad configuration refuses every
 * app rather than serving a half-applied one.
 */
export function loadApps(env: AppsEnv): AppsResult {
  const sources = APP_SETTINGS.map((name) => env[name]);
  if (cached === undefined || sources.some((value, index) => value !== cached?.sources[index])) {
    cached = { sources, result: readApps(env) };
  }
  return cached.result;
}

/**
 * Single-app settings that are refused beside APPS rather than ignored, when
 * set to anything but their default (which wrangler.jsonc may ship): each
 * changes what is kept or sent, so an operator who set one for every app
 * must learn that it applies to none.
 */
const SINGLE_APP_ONLY = [
  { setting: "WEBHOOKS", unset: "", instead: "give each app its own webhooks list" },
  { setting: "HISTORY", unset: "", instead: "give each app its own history" },
  { setting: "AUDIT", unset: "true", instead: 'set "audit" on each app' },
] as const;

function readApps(env: AppsEnv): AppsResult {
  if (env.APPS !== undefined && env.APPS.trim() !== "") {
    for (const { setting, unset, instead } of SINGLE_APP_ONLY) {
      // A wrangler.jsonc var may hold a JSON value rather than a string.
      const value = String(env[setting] ?? "").trim();
      if (value !== "" && value !== unset) {
        return { ok: false, problem: `${setting} configures the single app of APP_ID; with APPS, ${instead}` };
      }
    }
    const parsed = parseAppsJson(env.APPS);
    return parsed.ok ? registry(parsed.apps) : parsed;
  }
  const single = parseSingleAppEnv(env);
  return single.ok ? registry([single.value]) : { ok: false, problem: single.error };
}

function registry(apps: readonly App[]): AppRegistry {
  const byKey = new Map(apps.flatMap((app) => app.keys.map(({ key }) => [key, app] as const)));
  const byId = new Map(apps.map((app) => [app.id, app]));
  return { ok: true, byKey: (key) => byKey.get(key), byId: (id) => byId.get(id), all: () => apps };
}
