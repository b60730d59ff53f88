import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../src/config/app";
import { parseAppsJson } from "../../src/config/apps-json";
import { loadApps } from "../../src/config/registry";
import { app, problemOf, SECRET } from "./support/apps-json";

describe("the APPS list", () => {
  it("gives every option Pusher's default when only id, key and secret are set", () => {
    const result = parseAppsJson(JSON.stringify([app()]));
    expect(result).toEqual({
      ok: true,
      apps: [
        {
          id: "shop",
          key: "shop-key",
          secret: SECRET,
          keys: [{ key: "shop-key", secret: SECRET, retired: false }],
          enabled: true,
          enableClientMessages: false,
          enableUserAuthentication: false,
          userAuthenticationTimeoutMs: 30_000,
          subscriptionCountEvents: false,
          allowedOrigins: [],
          webhooks: [],
          limits: DEFAULT_LIMITS,
          audit: true,
        },
      ],
    });
  });

  it("reads every option under its soketi name", () => {
    const result = parseAppsJson(
      JSON.stringify([
        app({
          id: 12345,
          enabled: false,
          enable_client_messages: true,
          max_connections: 500,
          max_client_events_per_sec: 5,
          max_backend_events_per_sec: 100,
          max_read_requests_per_sec: 50,
          max_presence_members_per_channel: 20,
          max_presence_member_size_in_kb: 2,
          max_channel_name_length: 100,
          max_event_channels_at_once: 10,
          max_event_name_length: 50,
          max_event_payload_in_kb: 0.5,
          max_event_batch_size: 5,
          enable_user_authentication: true,
          user_authentication_timeout: 5000,
          subscription_count_events: true,
          audit: false,
          allowed_origins: ["https://Example.com", "https://*.example.org", "http://localhost:5173"],
          webhooks: [
            {
              url: "https://hooks.example.com/pusher",
              event_types: ["channel_occupied", "member_added"],
              filter: { channel_name_starts_with: "presence-" },
              headers: { Authorization: "Bearer x" },
            },
          ],
        }),
      ]),
    );
    expect(result).toEqual({
      ok: true,
      apps: [
        {
          id: "12345",
          key: "shop-key",
          secret: SECRET,
          keys: [{ key: "shop-key", secret: SECRET, retired: false }],
          enabled: false,
          enableClientMessages: true,
          enableUserAuthentication: true,
          userAuthenticationTimeoutMs: 5000,
          subscriptionCountEvents: true,
          allowedOrigins: ["https://example.com", "https://*.example.org", "http://localhost:5173"],
          webhooks: [
            {
              url: "https://hooks.example.com/pusher",
              eventTypes: ["channel_occupied", "member_added"],
              filter: { channelNameStartsWith: "presence-" },
              headers: { Authorization: "Bearer x" },
            },
          ],
          limits: {
            maxConnections: 500,
            maxClientEventsPerSecond: 5,
            maxBackendEventsPerSecond: 100,
            maxReadRequestsPerSecond: 50,
            maxPresenceMembersPerChannel: 20,
            maxPresenceMemberSizeBytes: 2048,
            maxChannelNameLength: 100,
            maxEventChannelsAtOnce: 10,
            maxEventNameLength: 50,
            maxEventPayloadBytes: 512,
            maxEventBatchSize: 5,
          },
          audit: false,
        },
      ],
    });
  });

  it("reads -1 and null as unlimited for connection and request rates", () => {
    const result = parseAppsJson(
      JSON.stringify([app({ max_connections: -1, max_backend_events_per_sec: null, max_read_requests_per_sec: -1 })]),
    );
    if (!result.ok) throw new Error(result.problem);
    expect(result.apps[0]?.limits).toMatchObject({
      maxConnections: null,
      maxBackendEventsPerSecond: null,
      maxReadRequestsPerSecond: null,
    });
  });

  it("accepts soketi's max_read_req_per_sec spelling, but not both spellings at once", () => {
    const result = parseAppsJson(JSON.stringify([app({ max_read_req_per_sec: 7 })]));
    expect(result.ok ? result.apps[0]?.limits.maxReadRequestsPerSecond : result.problem).toBe(7);
    expect(problemOf([app({ max_read_req_per_sec: 7, max_read_requests_per_sec: 8 })])).toBe(
      'APPS has 1 problem: APPS[0] (app "shop").max_read_req_per_sec: is another spelling of max_read_requests_per_sec: set only one of them',
    );
  });

  it("names the app, the field and what is wrong, for every problem at once", () => {
    const problem = problemOf([
      app(),
      app({ id: "prod", key: "prod-key", max_connections: "ten", enable_client_messages: "yes", colour: "blue" }),
    ]);
    expect(problem).toBe(
      'APPS has 3 problems: APPS[1] (app "prod").colour: is not an app option; ' +
        'APPS[1] (app "prod").enable_client_messages: must be true or false, got a string; ' +
        'APPS[1] (app "prod").max_connections: must be a whole number of at least 1, or -1 for unlimited, got a string',
    );
  });

  it("takes only JSON booleans for switches: a string or a number is a problem, never a guess", () => {
    expect(
      problemOf([
        app({ enabled: "false", enable_client_messages: 0, subscription_count_events: "true", audit: "off" }),
      ]),
    ).toBe(
      'APPS has 4 problems: APPS[0] (app "shop").enabled: must be true or false, got a string; ' +
        'APPS[0] (app "shop").enable_client_messages: must be true or false, got 0; ' +
        'APPS[0] (app "shop").subscription_count_events: must be true or false, got a string; ' +
        'APPS[0] (app "shop").audit: must be true or false, got a string',
    );
  });

  it("refuses duplicate ids and keys", () => {
    expect(problemOf([app(), app({ key: "other-key" }), app({ id: "other" })])).toBe(
      'APPS has 2 problems: APPS[1] (app "shop"): id is already used by APPS[0]; ' +
        'APPS[2] (app "other"): key is already used by APPS[0]',
    );
  });

  it("takes ids and keys an object inherits, such as __proto__, as plain names", () => {
    const raw = JSON.stringify([
      app({ id: "__proto__", key: "constructor" }),
      app({ id: "toString", key: "hasOwnProperty" }),
    ]);
    const result = parseAppsJson(raw);
    expect(result.ok ? result.apps.map(({ id, key }) => ({ id, key })) : result.problem).toEqual([
      { id: "__proto__", key: "constructor" },
      { id: "toString", key: "hasOwnProperty" },
    ]);
    expect(problemOf([app({ id: "__proto__" }), app({ id: "__proto__", key: "other-key" })])).toBe(
      'APPS has 1 problem: APPS[1] (app "__proto__"): id is already used by APPS[0]',
    );
    const apps = loadApps({ APPS: raw });
    if (!apps.ok) throw new Error(apps.problem);
    expect(apps.byId("__proto__")?.key).toBe("constructor");
    expect(apps.byKey("hasOwnProperty")?.id).toBe("toString");
    for (const name of ["prototype", "valueOf", "constructor", "hasOwnProperty"]) {
      expect(apps.byId(name)).toBeUndefined();
    }
    expect(apps.byKey("__proto__")).toBeUndefined();
  });

  it("calls a field named __proto__ or constructor an unknown option, and takes nothing from it", () => {
    const entry = `{"id":"shop","key":"shop-key","secret":"${SECRET}","__proto__":{"enabled":false},"constructor":1}`;
    const result = parseAppsJson(`[${entry}]`);
    expect(result.ok ? "accepted" : result.problem).toBe(
      'APPS has 2 problems: APPS[0] (app "shop").__proto__: is not an app option; ' +
        'APPS[0] (app "shop").constructor: is not an app option',
    );
  });

  it("refuses a missing id, key or weak secret without echoing the secret", () => {
    const weak = "short-secret";
    const problem = problemOf([{ id: "a b", key: "", secret: weak }]);
    expect(problem).toBe(
      "APPS has 3 problems: APPS[0].id: must be a string of letters, digits, '_', '-' or '.' (at most 100); " +
        "APPS[0].key: must be a string of letters, digits, '_', '-' or '.' (at most 100); " +
        "APPS[0].secret: must be a string of at least 16 characters",
    );
    expect(problem).not.toContain(weak);
  });

  it("never echoes a secret typed into the wrong field", () => {
    const problem = problemOf([app({ max_connections: SECRET, allowed_origins: [SECRET], webhooks: [SECRET] })]);
    expect(problem).toContain("max_connections");
    expect(problem).toContain("allowed_origins[0]");
    expect(problem).toContain("webhooks[0]");
    expect(problem).not.toContain(SECRET);
  });

  it("reports invalid JSON by position only, never quoting the text", () => {
    const raw = `[{"id":"shop","key":"shop-key","secret":"${SECRET}",}]`;
    const result = parseAppsJson(raw);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problem).toMatch(/^APPS is not valid JSON/);
    expect(result.problem).not.toContain(SECRET);
    expect(result.problem).not.toContain("secret");
  });

  it("refuses an empty list and a non-list", () => {
    expect(problemOf([])).toBe("APPS has 1 problem: APPS: must be a non-empty JSON list of apps, got a list");
    expect(problemOf({ id: "x" })).toBe(
      "APPS has 1 problem: APPS: must be a non-empty JSON list of apps, got an object",
    );
  });

  it("checks limits, origins and webhooks field by field", () => {
    const problem = problemOf([
      app({
        max_client_events_per_sec: 0,
        max_event_payload_in_kb: -1,
        user_authentication_timeout: 1.5,
        allowed_origins: ["https://example.com/path", "*"],
        webhooks: [{ url: "ftp://x", event_types: ["channel_occupied"] }],
      }),
    ]);
    expect(problem.split("; ")).toEqual([
      'APPS has 5 problems: APPS[0] (app "shop").user_authentication_timeout: must be a whole number of at least 1, got 1.5',
      'APPS[0] (app "shop").allowed_origins[0]: must be "*", an origin such as "https://example.com" or a wildcard such as "https://*.example.com" (no path), got a string',
      'APPS[0] (app "shop").webhooks[0].url must be an http or https URL',
      'APPS[0] (app "shop").max_client_events_per_sec: must be a whole number of at least 1, got 0',
      'APPS[0] (app "shop").max_event_payload_in_kb: must be a positive number of kilobytes, got -1',
    ]);
  });
});

describe("loadApps", () => {
  it("serves the one app of APP_ID, APP_KEY and APP_SECRET when APPS is unset", () => {
    const apps = loadApps({ APP_ID: "one", APP_KEY: "one-key", APP_SECRET: SECRET });
    if (!apps.ok) throw new Error(apps.problem);
    expect(apps.byKey("one-key")?.id).toBe("one");
    expect(apps.byId("one")?.enableClientMessages).toBe(true);
    expect(apps.all()).toHaveLength(1);
  });

  it("gives the single app the endpoints of WEBHOOKS, and refuses WEBHOOKS beside APPS", () => {
    const hooks = JSON.stringify([{ url: "https://hooks.example.com/", event_types: ["channel_occupied"] }]);
    const single = loadApps({ APP_SECRET: SECRET, WEBHOOKS: hooks });
    if (!single.ok) throw new Error(single.problem);
    expect(single.all()[0]?.webhooks).toEqual([
      { url: "https://hooks.example.com/", eventTypes: ["channel_occupied"], filter: {}, headers: {} },
    ]);
    expect(loadApps({ APPS: JSON.stringify([app()]), WEBHOOKS: hooks })).toEqual({
      ok: false,
      problem: "WEBHOOKS configures the single app of APP_ID; with APPS, give each app its own webhooks list",
    });
  });

  it("turns the single app's audit log off with AUDIT, and refuses AUDIT=false beside APPS, which would apply to no app", () => {
    const single = loadApps({ APP_SECRET: SECRET, AUDIT: "false" });
    if (!single.ok) throw new Error(single.problem);
    expect(single.all()[0]?.audit).toBe(false);
    const both = loadApps({ APPS: JSON.stringify([app()]), AUDIT: "false" });
    expect(both).toEqual({
      ok: false,
      problem: 'AUDIT configures the single app of APP_ID; with APPS, set "audit" on each app',
    });
    // A wrangler.jsonc var may be a JSON boolean rather than a string.
    const fromJson = JSON.parse(`{"APPS":${JSON.stringify(JSON.stringify([app()]))},"AUDIT":false}`);
    expect(loadApps(fromJson)).toMatchObject({ ok: false });
    // The default, as wrangler.jsonc ships it, changes nothing and is no problem.
    expect(loadApps({ APPS: JSON.stringify([app()]), AUDIT: "true" })).toMatchObject({ ok: true });
  });

  it("reads the single app's options from their own variables, refusing a malformed timeout", () => {
    const apps = loadApps({
      APP_SECRET: SECRET,
      ENABLE_USER_AUTHENTICATION: "true",
      USER_AUTHENTICATION_TIMEOUT_MS: "1500",
      SUBSCRIPTION_COUNT_EVENTS: "true",
    });
    if (!apps.ok) throw new Error(apps.problem);
    expect(apps.all()[0]).toMatchObject({
      enableUserAuthentication: true,
      userAuthenticationTimeoutMs: 1500,
      subscriptionCountEvents: true,
    });
    expect(loadApps({ APP_SECRET: SECRET, USER_AUTHENTICATION_TIMEOUT_MS: "soon" })).toEqual({
      ok: false,
      problem: "USER_AUTHENTICATION_TIMEOUT_MS must be a whole number of milliseconds above 0",
    });
  });

  it("lets APPS alone define the apps", () => {
    const apps = loadApps({
      APPS: JSON.stringify([app(), app({ id: "blog", key: "blog-key" })]),
      APP_ID: "one",
      APP_KEY: "one-key",
    });
    if (!apps.ok) throw new Error(apps.problem);
    expect(apps.byKey("blog-key")?.id).toBe("blog");
    expect(apps.byId("shop")?.key).toBe("shop-key");
    expect(apps.byKey("one-key")).toBeUndefined();
  });

  it("applies nothing from a list with one bad app", () => {
    const apps = loadApps({ APPS: JSON.stringify([app(), app({ id: "blog", key: "blog-key", enabled: "no" })]) });
    expect(apps).toEqual({
      ok: false,
      problem: 'APPS has 1 problem: APPS[1] (app "blog").enabled: must be true or false, got a string',
    });
  });

  it("refuses a missing or short APP_SECRET without echoing it", () => {
    const missing = loadApps({ APP_ID: "one" });
    expect(missing.ok).toBe(false);
    const short = loadApps({ APP_SECRET: "tiny-secret" });
    expect(short.ok ? "" : short.problem).toMatch(/^APP_SECRET is shorter than 16 characters/);
    expect(short.ok ? "" : short.problem).not.toContain("tiny-secret");
  });

  it("parses a configuration once and returns the same registry", () => {
    const env = { APPS: JSON.stringify([app()]) };
    expect(loadApps({ ...env })).toBe(loadApps({ ...env }));
  });
});

describe("the README's APPS example", () => {
  it("is a valid APPS value", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const section = readme.slice(readme.indexOf("## Many apps"));
    const example = /```json\n([\s\S]*?)```/.exec(section)?.[1];
    expect(example).toBeDefined();
    const result = parseAppsJson(example ?? "");
    expect(result.ok ? result.apps.map((parsed) => parsed.id) : result.problem).toEqual(["1001", "1002"]);
  });
});
