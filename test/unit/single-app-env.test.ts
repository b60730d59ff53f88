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
        audit: true,
      }),
    });
  });

  it("refuse a boolean setting that is not exactly true or false, naming it and never its value", () => {
    const loose = {
      ENABLE_CLIENT_MESSAGES: "False",
      SUBSCRIPTION_COUNT_EVENTS: "1",
      ENABLE_USER_AUTHENTICATION: "yes-please",
      AUDIT: "off",
    };
    const parsed = parseSingleAppEnv({ APP_SECRET: SECRET, ...loose });
    expect(parsed).toEqual({
      ok: false,
      error:
        "The single-app configuration has 4 problems: " +
        'ENABLE_CLIENT_MESSAGES must be "true" or "false"; ' +
        'SUBSCRIPTION_COUNT_EVENTS must be "true" or "false"; ' +
        'ENABLE_USER_AUTHENTICATION must be "true" or "false"; ' +
        'AUDIT must be "true" or "false"',
    });
    expect(parsed.ok ? "" : parsed.error).not.toContain("yes-please");
    for (const value of ["0", "TRUE", "on", "no", "off", "enabled"]) {
      expect(parseSingleAppEnv({ APP_SECRET: SECRET, ENABLE_CLIENT_MESSAGES: value })).toEqual({
        ok: false,
        error: 'ENABLE_CLIENT_MESSAGES must be "true" or "false"',
      });
    }
  });

  it("read true and false for each boolean, and take its default when it is unset or blank", () => {
    const flags = (env: Record<string, string>) => {
      const parsed = parseSingleAppEnv({ APP_SECRET: SECRET, ...env });
      if (!parsed.ok) throw new Error(parsed.error);
      const { enableClientMessages, subscriptionCountEvents, enableUserAuthentication, audit } = parsed.value;
      return { enableClientMessages, subscriptionCountEvents, enableUserAuthentication, audit };
    };
    expect(
      flags({
        ENABLE_CLIENT_MESSAGES: "false",
        SUBSCRIPTION_COUNT_EVENTS: "true",
        ENABLE_USER_AUTHENTICATION: "true",
        AUDIT: "false",
      }),
    ).toEqual({
      enableClientMessages: false,
      subscriptionCountEvents: true,
      enableUserAuthentication: true,
      audit: false,
    });
    expect(
      flags({
        ENABLE_CLIENT_MESSAGES: " true ",
        SUBSCRIPTION_COUNT_EVENTS: "false",
        ENABLE_USER_AUTHENTICATION: "false",
        AUDIT: "true",
      }),
    ).toEqual({
      enableClientMessages: true,
      subscriptionCountEvents: false,
      enableUserAuthentication: false,
      audit: true,
    });
    expect(
      flags({ ENABLE_CLIENT_MESSAGES: "", SUBSCRIPTION_COUNT_EVENTS: " ", ENABLE_USER_AUTHENTICATION: "", AUDIT: "" }),
    ).toEqual({
      enableClientMessages: true,
      subscriptionCountEvents: false,
      enableUserAuthentication: false,
      audit: true,
    });
  });

  it("read JSON booleans, which a wrangler.jsonc var may hold instead of a string", () => {
    const env = JSON.parse(
      `{"APP_SECRET":"${SECRET}","ENABLE_CLIENT_MESSAGES":false,"SUBSCRIPTION_COUNT_EVENTS":true,"ENABLE_USER_AUTHENTICATION":1}`,
    );
    expect(parseSingleAppEnv(env)).toEqual({
      ok: false,
      error: 'ENABLE_USER_AUTHENTICATION must be "true" or "false"',
    });
    const { ENABLE_USER_AUTHENTICATION: _, ...valid } = env;
    expect(parseSingleAppEnv(valid)).toMatchObject({
      ok: true,
      value: { enableClientMessages: false, subscriptionCountEvents: true, enableUserAuthentication: false },
    });
  });

  it("refuse an APP_ID or APP_KEY that APPS would refuse as an id or key", () => {
    const rule = "must be a string of letters, digits, '_', '-' or '.' (at most 100)";
    expect(parseSingleAppEnv({ APP_SECRET: SECRET, APP_ID: "my app", APP_KEY: "key/with/slashes" })).toEqual({
      ok: false,
      error: `The single-app configuration has 2 problems: APP_ID ${rule}; APP_KEY ${rule}`,
    });
    expect(parseSingleAppEnv({ APP_SECRET: SECRET, APP_KEY: "k".repeat(101) })).toEqual({
      ok: false,
      error: `APP_KEY ${rule}`,
    });
    expect(parseSingleAppEnv({ APP_SECRET: SECRET, APP_ID: "12345", APP_KEY: "app-key_1.0" })).toMatchObject({
      ok: true,
      value: { id: "12345", key: "app-key_1.0" },
    });
  });

  it("report every kind of problem at once", () => {
    const apps = loadApps({ APP_ID: "a b", ENABLE_CLIENT_MESSAGES: "0", WEBHOOKS: "[" });
    expect(apps).toEqual({
      ok: false,
      problem:
        "The single-app configuration has 4 problems: " +
        "APP_ID must be a string of letters, digits, '_', '-' or '.' (at most 100); " +
        "APP_SECRET is not set: set it with `wrangler secret put APP_SECRET` " +
        "(or in .dev.vars when running locally), or define apps in APPS; " +
        'ENABLE_CLIENT_MESSAGES must be "true" or "false"; ' +
        "WEBHOOKS is not valid JSON",
    });
  });
});
