import { describe, expect, it } from "vitest";
import { loadApps } from "../../src/config/registry";
import { parseWebhookEndpointsJson } from "../../src/config/webhooks";

const SECRET = "unit-secret-0123456789abcdef";

function problem(json: unknown): string {
  const parsed = parseWebhookEndpointsJson(typeof json === "string" ? json : JSON.stringify(json), "WEBHOOKS");
  if (parsed.ok) throw new Error("expected a rejection");
  return parsed.error;
}

describe("WEBHOOKS parsing", () => {
  it("reads soketi-style endpoints into the App's webhook list", () => {
    const parsed = parseWebhookEndpointsJson(
      JSON.stringify([
        {
          url: "https://example.com/hooks?token=abc",
          event_types: ["channel_occupied", "member_added", "member_added"],
          filter: { channel_name_starts_with: "presence-", channel_name_ends_with: "-room" },
          headers: { Authorization: "Bearer abc" },
        },
        { url: "http://127.0.0.1:9000/", event_types: ["client_event"] },
      ]),
      "WEBHOOKS",
    );
    expect(parsed).toEqual({
      ok: true,
      value: [
        {
          url: "https://example.com/hooks?token=abc",
          eventTypes: ["channel_occupied", "member_added"],
          filter: { channelNameStartsWith: "presence-", channelNameEndsWith: "-room" },
          headers: { Authorization: "Bearer abc" },
        },
        { url: "http://127.0.0.1:9000/", eventTypes: ["client_event"], filter: {}, headers: {} },
      ],
    });
  });

  it.each([
    ["not JSON", "[{", "WEBHOOKS is not valid JSON"],
    ["not a list", { url: "https://a.test" }, "WEBHOOKS must be a JSON list of webhook endpoints"],
    ["an endpoint that is not an object", ["https://a.test"], "WEBHOOKS[0] must be an object with url and event_types"],
    ["a missing url", [{ event_types: ["cache_miss"] }], "WEBHOOKS[0].url must be a non-empty string"],
    ["a relative url", [{ url: "/hooks", event_types: ["cache_miss"] }], "WEBHOOKS[0].url is not a valid absolute URL"],
    [
      "a non-http url",
      [{ url: "ftp://a.test/x", event_types: ["cache_miss"] }],
      "WEBHOOKS[0].url must be an http or https URL",
    ],
    ["no event types", [{ url: "https://a.test" }], "WEBHOOKS[0].event_types must be a non-empty list of"],
    ["an empty event type list", [{ url: "https://a.test", event_types: [] }], "WEBHOOKS[0].event_types must be"],
    [
      "an unknown event type",
      [{ url: "https://a.test", event_types: ["cache_miss", "channel_opened"] }],
      "WEBHOOKS[0].event_types[1] is not one of: channel_occupied",
    ],
    [
      "a filter that is not an object",
      [{ url: "https://a.test", event_types: ["cache_miss"], filter: "presence-" }],
      "WEBHOOKS[0].filter must be an object",
    ],
    [
      "an unknown filter field",
      [{ url: "https://a.test", event_types: ["cache_miss"], filter: { channel_name_pattern: "x" } }],
      "WEBHOOKS[0].filter has an unknown field",
    ],
    [
      "a non-string prefix",
      [{ url: "https://a.test", event_types: ["cache_miss"], filter: { channel_name_starts_with: 1 } }],
      "WEBHOOKS[0].filter.channel_name_starts_with must be a string",
    ],
    [
      "a non-string suffix",
      [{ url: "https://a.test", event_types: ["cache_miss"], filter: { channel_name_ends_with: [] } }],
      "WEBHOOKS[0].filter.channel_name_ends_with must be a string",
    ],
    [
      "headers that are not an object",
      [{ url: "https://a.test", event_types: ["cache_miss"], headers: ["x"] }],
      "WEBHOOKS[0].headers must be an object",
    ],
    [
      "a header overriding the signature",
      [{ url: "https://a.test", event_types: ["cache_miss"], headers: { "x-pusher-signature": "forged" } }],
      "WEBHOOKS[0].headers.x-pusher-signature is set by the server itself",
    ],
    [
      "a header overriding the content type",
      [{ url: "https://a.test", event_types: ["cache_miss"], headers: { "Content-Type": "text/plain" } }],
      "WEBHOOKS[0].headers.Content-Type is set by the server itself",
    ],
    [
      "a non-string header value",
      [{ url: "https://a.test", event_types: ["cache_miss"], headers: { "X-Token": 42 } }],
      "WEBHOOKS[0].headers.X-Token must be a string without line breaks",
    ],
    [
      "the same url twice",
      [
        { url: "https://a.test/x", event_types: ["cache_miss"] },
        { url: "https://a.test/x", event_types: ["client_event"] },
      ],
      "WEBHOOKS[1].url repeats the url of WEBHOOKS[0]",
    ],
  ])("refuses %s, naming the field", (_, json, message) => {
    expect(problem(json)).toContain(message);
  });

  it("keeps headers whose names an object inherits, such as __proto__, as headers", () => {
    const parsed = parseWebhookEndpointsJson(
      '[{"url":"https://a.test","event_types":["cache_miss"],"headers":{"__proto__":"a","constructor":"b","toString":"c"}}]',
      "WEBHOOKS",
    );
    if (!parsed.ok) throw new Error(parsed.error);
    const headers = parsed.value[0]?.headers ?? {};
    expect(Object.entries(headers)).toEqual([
      ["__proto__", "a"],
      ["constructor", "b"],
      ["toString", "c"],
    ]);
    expect(Object.getPrototypeOf(headers)).toBe(Object.prototype);
  });

  it("never repeats a header value or an invalid header name, which may be tokens", () => {
    const badValue = problem([
      { url: "https://a.test", event_types: ["cache_miss"], headers: { "X-Token": "line\nsecret-token-value" } },
    ]);
    expect(badValue).not.toContain("secret-token-value");
    const badName = problem([
      { url: "https://a.test", event_types: ["cache_miss"], headers: { "Bearer secret-token-value": "x" } },
    ]);
    expect(badName).toBe("WEBHOOKS[0].headers entry 1 has a name that is not a valid HTTP header name");
  });

  it("never repeats a url, which may carry a token", () => {
    expect(problem([{ url: "notaurl-secret-token-value", event_types: ["cache_miss"] }])).not.toContain(
      "secret-token-value",
    );
  });
});

describe("loadApps with WEBHOOKS", () => {
  it("gives the default app the parsed endpoints", () => {
    const apps = loadApps({
      APP_SECRET: SECRET,
      WEBHOOKS: JSON.stringify([{ url: "https://a.test/", event_types: ["channel_vacated"] }]),
    });
    if (!apps.ok) throw new Error(apps.problem);
    expect(apps.byId("sower")?.webhooks).toEqual([
      { url: "https://a.test/", eventTypes: ["channel_vacated"], filter: {}, headers: {} },
    ]);
  });

  it("treats an unset or blank WEBHOOKS as no endpoints", () => {
    for (const WEBHOOKS of [undefined, "", "  "]) {
      const apps = loadApps({ APP_SECRET: SECRET, WEBHOOKS });
      if (!apps.ok) throw new Error(apps.problem);
      expect(apps.byId("sower")?.webhooks).toEqual([]);
    }
  });

  it("refuses to start with a malformed WEBHOOKS rather than lose webhooks", () => {
    expect(loadApps({ APP_SECRET: SECRET, WEBHOOKS: '[{"url":"https://a.test"}]' })).toEqual({
      ok: false,
      problem: expect.stringContaining("WEBHOOKS[0].event_types must be a non-empty list"),
    });
  });
});
