import { describe, expect, it } from "vitest";
import { parseSingleAppEnv } from "../../src/config/env";
import { loadApps } from "../../src/config/registry";

const SECRET = "single-app-secret-0123456789";

describe("the single app's settings", () => {
  it("name every bad setting in one error, never quoting a value", () => {
    const shortSecret = "tiny-secret";
    const timeout = "soon-0123456789abcdef";
    const webhookToken = "hook-token-0123456789";
    const parsed = parseSingleAppEnv({
      APP_SECRET: shortSecret,
      USER_AUTHENTICATION_TIMEOUT_MS: timeout,
      WEBHOOKS: JSON.stringify([{ url: `https://hooks.test/?token=${webhookToken}`, event_types: ["nope"] }]),
    });
    expect(parsed).toEqual({
      ok: false,
      error:
        "The single-app configuration has 3 problems: " +
        "APP_SECRET is shorter than 16 characters: set it with `wrangler secret put APP_SECRET` " +
        "(or in .dev.vars when running locally), or define apps in APPS; " +
        "WEBHOOKS[0].event_types[0] is not one of: channel_occupied, channel_vacated, member_added, " +
        "member_removed, client_event, cache_miss, subscription_count; " +
        "USER_AUTHENTICATION_TIMEOUT_MS must be a whole number of milliseconds above 0",
    });
    const message = parsed.ok ? "" : parsed.error;
    for (const value of [shortSecret, timeout, webhookToken]) expect(message).not.toContain(value);
  });

  it("refuse to serve any app while one is bad, reporting all of them through loadApps", () => {
    const apps = loadApps({ USER_AUTHENTICATION_TIMEOUT_MS: "0", WEBHOOKS: "[" });
    expect(apps).toEqual({
      ok: false,
      problem:
        "The single-app configuration has 3 problems: " +
        "APP_SECRET is not set: set it with `wrangler secret put APP_SECRET` " +
        "(or in .dev.vars when running locally), or define apps in APPS; " +
        "WEBHOOKS is not valid JSON; " +
        "USER_AUTHENTICATION_TIMEOUT_MS must be a whole number of milliseconds above 0",
    });
  });

  it("give a lone problem on its own, as it stands", () => {
    expect(parseSingleAppEnv({ APP_SECRET: SECRET, WEBHOOKS: "{}" })).toEqual({
      ok: false,
      error: "WEBHOOKS must be a JSON list of webhook endpoints",
    });
  });

  it("take their defaults when only the secret is set", () => {
    const parsed = parseSingleAppEnv({ APP_SECRET: SECRET });
    expect(parsed).toEqual({
      ok: true,
      value: expect.objectContaining({
        id: "sower",
        key: "sower-key",
        enableClientMessages: true,
        enableUserAuthentication: false,
        userAuthenticationTimeoutMs: 30_000,
        subscriptionCountEvents: false,
        webhooks: [],
      }),
    });
  });
});
