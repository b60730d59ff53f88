import { tryParseJson } from "../lib/json";
import { err, ok, type Result } from "../lib/result";
import {
  type App,
  type AppKey,
  DEFAULT_LIMITS,
  DEFAULT_USER_AUTHENTICATION_TIMEOUT_MS,
  IDENTIFIER,
  IDENTIFIER_RULE,
  MIN_SECRET_LENGTH,
  type WebhookEndpoint,
} from "./app";
import { parseKeyPairs, primaryKey } from "./app-keys";
import { type HistoryPolicy, parseHistoryJson } from "./history";
import { placementFromEnv, readPlacement } from "./placement";
import { Problems } from "./problems";
import { parseWebhookEndpointsJson } from "./webhooks";

/**
 * The settings of the one app served when APPS is unset, as the environment
 * names them. This list is the only place they are named: the env type, the
 * registry's cache and the check of docs/configuration.md all read it.
 */
export const SINGLE_APP_SETTINGS = [
  "APP_ID",
  "APP_KEY",
  "APP_SECRET",
  // A JSON list of further key/secret pairs, in the format of an APPS entry's `keys`.
  "APP_KEYS",
  "ENABLE_CLIENT_MESSAGES",
  "SUBSCRIPTION_COUNT_EVENTS",
  "ENABLE_USER_AUTHENTICATION",
  "USER_AUTHENTICATION_TIMEOUT_MS",
  // A JSON list of webhook endpoints, in the format of an APPS entry's `webhooks`.
  "WEBHOOKS",
  // A JSON object, in the format of an APPS entry's `history`.
  "HISTORY",
  // Whether calls are recorded in the audit log (docs/audit.md); true unless set false.
  "AUDIT",
  // Placement (docs/scaling.md): how many objects hold the sockets, near which regions, in which jurisdiction.
  "SHARDS",
  "REGIONS",
  "JURISDICTION",
] as const;

export type SingleAppEnv = { readonly [Setting in (typeof SINGLE_APP_SETTINGS)[number]]?: string };

/**
 * The app of APP_ID / APP_KEY / APP_SECRET (with any further pairs in
 * APP_KEYS) and its option settings. Every problem is reported at once, so
 * an operator fixes them in one deploy; each names its setting and never its
 * value, which may be a secret pasted into the wrong variable. A missing or weak secret is refused rather than letting
 * anyone forge signatures.
 */
export function parseSingleAppEnv(env: SingleAppEnv): Result<App, string> {
  const problems = new Problems();
  const id = readIdentifier("APP_ID", env.APP_ID, "sower", problems);
  const key = readIdentifier("APP_KEY", env.APP_KEY, "sower-key", problems);
  const secret = readSecret(env.APP_SECRET, problems);
  const pairs = readKeyPairs(env.APP_KEYS, key, problems);
  const enableClientMessages = readFlag("ENABLE_CLIENT_MESSAGES", env.ENABLE_CLIENT_MESSAGES, true, problems);
  const subscriptionCountEvents = readFlag("SUBSCRIPTION_COUNT_EVENTS", env.SUBSCRIPTION_COUNT_EVENTS, false, problems);
  const enableUserAuthentication = readFlag(
    "ENABLE_USER_AUTHENTICATION",
    env.ENABLE_USER_AUTHENTICATION,
    false,
    problems,
  );
  const audit = readFlag("AUDIT", env.AUDIT, true, problems);
  const webhooks = readWebhooks(env.WEBHOOKS, problems);
  const timeout = readTimeout(env.USER_AUTHENTICATION_TIMEOUT_MS, problems);
  const history = readHistory(env.HISTORY, problems);
  const placement = readPlacement(
    placementFromEnv(env),
    { shards: "SHARDS", regions: "REGIONS", jurisdiction: "JURISDICTION" },
    problems,
  );
  if (!problems.empty) return err(problems.brief("The single-app configuration"));
  const app: App = {
    id,
    key,
    secret,
    keys: [primaryKey(key, secret), ...pairs],
    enabled: true,
    enableClientMessages,
    enableUserAuthentication,
    userAuthenticationTimeoutMs: timeout,
    subscriptionCountEvents,
    allowedOrigins: [],
    webhooks,
    limits: DEFAULT_LIMITS,
    audit,
    ...history,
  };
  return ok(placement === undefined ? app : { ...app, placement });
}

/** Unset or empty takes the default; anything else must be what APPS accepts as an id or key. */
function readIdentifier(name: string, value: string | undefined, fallback: string, problems: Problems): string {
  if (value === undefined || value === "") return fallback;
  if (IDENTIFIER.test(value)) return value;
  problems.addMessage(`${name} ${IDENTIFIER_RULE}`);
  return fallback;
}

/**
 * "true" or "false", nothing else. Read loosely, "False", "0" or "off" would
 * leave on a feature its operator meant to turn off. "1" and "0" are refused
 * as well: they are unambiguous, but the documentation, the shipped
 * wrangler.jsonc and APPS's JSON booleans all spell a switch one way, and a
 * second spelling invites a third ("yes", "on"). Unset or blank takes the
 * default. A JSON boolean, which a `vars` entry in wrangler.jsonc may hold
 * whatever the generated types say, is read as the same value.
 */
function readFlag(name: string, value: unknown, fallback: boolean, problems: Problems): boolean {
  if (typeof value === "boolean") return value;
  const text = typeof value === "string" ? value.trim() : value;
  if (text === undefined || text === "") return fallback;
  if (text === "true" || text === "false") return text === "true";
  problems.addMessage(`${name} must be "true" or "false"`);
  return fallback;
}

function readSecret(value: string | undefined, problems: Problems): string {
  const secret = value ?? "";
  if (secret.length >= MIN_SECRET_LENGTH) return secret;
  problems.addMessage(
    `APP_SECRET is ${secret.length === 0 ? "not set" : `shorter than ${MIN_SECRET_LENGTH} characters`}: ` +
      "set it with `wrangler secret put APP_SECRET` (or in .dev.vars when running locally), or define apps in APPS",
  );
  return "";
}

/** Unset or blank means no further pairs: APP_KEY and APP_SECRET are the only one. */
function readKeyPairs(value: string | undefined, key: string, problems: Problems): AppKey[] {
  const text = value?.trim() ?? "";
  if (text === "") return [];
  const json = tryParseJson(text);
  // The runtime's parse error would quote the text around the mistake, which may be a secret.
  if (json === undefined) {
    problems.addMessage("APP_KEYS is not valid JSON");
    return [];
  }
  return parseKeyPairs(json, "APP_KEYS", { key, field: "APP_KEY" }, problems);
}

/** Unset or blank means no endpoints. */
function readWebhooks(value: string | undefined, problems: Problems): WebhookEndpoint[] {
  const text = value?.trim() ?? "";
  if (text === "") return [];
  const parsed = parseWebhookEndpointsJson(text, "WEBHOOKS");
  if (parsed.ok) return parsed.value;
  problems.addMessage(parsed.error);
  return [];
}

/** Unset or blank means no channel keeps history. */
function readHistory(value: string | undefined, problems: Problems): { history?: HistoryPolicy } {
  const text = value?.trim() ?? "";
  if (text === "") return {};
  const parsed = parseHistoryJson(text, "HISTORY");
  if (parsed.ok) return { history: parsed.value };
  problems.addMessage(parsed.error);
  return {};
}

function readTimeout(value: string | undefined, problems: Problems): number {
  const text = value?.trim() ?? "";
  if (text === "") return DEFAULT_USER_AUTHENTICATION_TIMEOUT_MS;
  if (/^[1-9]\d{0,8}$/.test(text)) return Number(text);
  problems.addMessage("USER_AUTHENTICATION_TIMEOUT_MS must be a whole number of milliseconds above 0");
  return DEFAULT_USER_AUTHENTICATION_TIMEOUT_MS;
}
