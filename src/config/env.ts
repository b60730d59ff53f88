import { err, ok, type Result } from "../lib/result";
import {
  type App,
  DEFAULT_LIMITS,
  DEFAULT_USER_AUTHENTICATION_TIMEOUT_MS,
  MIN_SECRET_LENGTH,
  type WebhookEndpoint,
} from "./app";
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
  "ENABLE_CLIENT_MESSAGES",
  "SUBSCRIPTION_COUNT_EVENTS",
  "ENABLE_USER_AUTHENTICATION",
  "USER_AUTHENTICATION_TIMEOUT_MS",
  // A JSON list of webhook endpoints, in the format of an APPS entry's `webhooks`.
  "WEBHOOKS",
] as const;

export type SingleAppEnv = { readonly [Setting in (typeof SINGLE_APP_SETTINGS)[number]]?: string };

/**
 * The app of APP_ID / APP_KEY / APP_SECRET and its option settings. Every
 * problem is reported at once, so an operator fixes them in one deploy; each
 * names its setting and never its value, which may be a secret pasted into
 * the wrong variable. A missing or weak secret is refused rather than letting
 * anyone forge signatures.
 */
export function parseSingleAppEnv(env: SingleAppEnv): Result<App, string> {
  const problems = new Problems();
  const secret = readSecret(env.APP_SECRET, problems);
  const webhooks = readWebhooks(env.WEBHOOKS, problems);
  const timeout = readTimeout(env.USER_AUTHENTICATION_TIMEOUT_MS, problems);
  if (!problems.empty) return err(problems.brief("The single-app configuration"));
  return ok({
    id: env.APP_ID || "sower",
    key: env.APP_KEY || "sower-key",
    secret,
    enabled: true,
    enableClientMessages: env.ENABLE_CLIENT_MESSAGES !== "false",
    enableUserAuthentication: env.ENABLE_USER_AUTHENTICATION === "true",
    userAuthenticationTimeoutMs: timeout,
    subscriptionCountEvents: env.SUBSCRIPTION_COUNT_EVENTS === "true",
    allowedOrigins: [],
    webhooks,
    limits: DEFAULT_LIMITS,
  });
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

/** Unset or blank means no endpoints. */
function readWebhooks(value: string | undefined, problems: Problems): WebhookEndpoint[] {
  const text = value?.trim() ?? "";
  if (text === "") return [];
  const parsed = parseWebhookEndpointsJson(text, "WEBHOOKS");
  if (parsed.ok) return parsed.value;
  problems.addMessage(parsed.error);
  return [];
}

function readTimeout(value: string | undefined, problems: Problems): number {
  const text = value?.trim() ?? "";
  if (text === "") return DEFAULT_USER_AUTHENTICATION_TIMEOUT_MS;
  if (/^[1-9]\d{0,8}$/.test(text)) return Number(text);
  problems.addMessage("USER_AUTHENTICATION_TIMEOUT_MS must be a whole number of milliseconds above 0");
  return DEFAULT_USER_AUTHENTICATION_TIMEOUT_MS;
}
