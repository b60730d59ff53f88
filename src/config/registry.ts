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

function readApps(env: AppsEnv): AppsResult {
  if (env.APPS !== undefined && env.APPS.trim() !== "") {
    if ((env.WEBHOOKS?.trim() ?? "") !== "") {
      return {
        ok: false,
        problem: "WEBHOOKS configures the single app of APP_ID; with APPS, give each app its own webhooks list",
      };
    }
    if ((env.HISTORY?.trim() ?? "") !== "") {
      return {
        ok: false,
        problem: "HISTORY configures the single app of APP_ID; with APPS, give each app its own history",
      };
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
