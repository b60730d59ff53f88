import { describe, expect, it } from "vitest";
import { parseAppsJson } from "../../src/config/apps-json";
import { parseSingleAppEnv } from "../../src/config/env";
import { MAX_SHARDS } from "../../src/config/placement";

const SECRET = "unit-secret-do-not-echo-0123456789";

function app(fields: Record<string, unknown> = {}) {
  return { id: "shop", key: "shop-key", secret: SECRET, ...fields };
}

function parsed(fields: Record<string, unknown>) {
  const result = parseAppsJson(JSON.stringify([app(fields)]));
  return result.ok ? { ok: true, placement: result.apps[0]?.placement } : result;
}

describe("an app's placement in APPS", () => {
  it("is absent when none of shards, regions and jurisdiction is set, so the app keeps its one Beacon", () => {
    expect(parsed({})).toEqual({ ok: true, placement: undefined });
  });

  it("reads one shard, its region and a jurisdiction", () => {
    expect(parsed({ shards: 1, regions: ["weur"], jurisdiction: "eu" })).toEqual({
      ok: true,
      placement: { shards: 1, regions: ["weur"], jurisdiction: "eu" },
    });
    expect(parsed({ jurisdiction: "fedramp" })).toEqual({
      ok: true,
      placement: { shards: 1, regions: [], jurisdiction: "fedramp" },
    });
  });

  it("reads shards dealt to regions", () => {
    expect(parsed({ shards: 4, regions: ["weur", "enam"] })).toEqual({
      ok: true,
      placement: { shards: 4, regions: ["weur", "enam"] },
    });
  });

  it("refuses per-second REST limits on a sharded app, which no one object could count", () => {
    expect(parsed({ shards: 2, max_backend_events_per_sec: 100, max_read_requests_per_sec: 10 })).toEqual({
      ok: false,
      problem: expect.stringContaining(
        'APPS[0] (app "shop"): max_backend_events_per_sec and max_read_requests_per_sec cannot be enforced across shards',
      ),
    });
    expect(parsed({ shards: 1, max_backend_events_per_sec: 100 })).toEqual({
      ok: true,
      placement: { shards: 1, regions: [] },
    });
  });

  it("keeps history on a sharded app, whose channel hubs store it, as with one shard", () => {
    const history = { channels: ["chat-*"] };
    for (const shards of [1, 3]) {
      const result = parseAppsJson(JSON.stringify([app({ shards, history })]));
      expect(result.ok && result.apps[0]?.history?.channels).toEqual(["chat-*"]);
      expect(result.ok && result.apps[0]?.placement?.shards).toBe(shards);
    }
  });

  it("refuses a shard count outside 1 to the maximum, and a count that is not a whole number", () => {
    for (const shards of [0, -1, MAX_SHARDS + 1, 2.5, "4", true]) {
      expect(parsed({ shards })).toEqual({
        ok: false,
        problem: expect.stringContaining(`shards must be a whole number from 1 to ${MAX_SHARDS}`),
      });
    }
  });

  it("refuses regions that are not location hints, repeated, or more than the shards", () => {
    expect(parsed({ regions: ["europe"] })).toEqual({
      ok: false,
      problem: expect.stringContaining(
        "regions may only name wnam, enam, sam, weur, eeur, apac, oc, afr, me, got a string",
      ),
    });
    expect(parsed({ shards: 1, regions: "weur" })).toEqual({
      ok: false,
      problem: expect.stringContaining("regions must be a list of location hints"),
    });
    expect(parsed({ regions: ["weur", "weur"] })).toEqual({
      ok: false,
      problem: expect.stringContaining("regions names weur twice"),
    });
    expect(parsed({ regions: ["weur", "enam"] })).toEqual({
      ok: false,
      problem: expect.stringContaining("regions names 2 regions for 1 shard: each region needs a shard of its own"),
    });
  });

  it("refuses a jurisdiction the platform does not have, and regions outside the jurisdiction", () => {
    expect(parsed({ jurisdiction: "mars" })).toEqual({
      ok: false,
      problem: expect.stringContaining("jurisdiction must be one of eu, us, fedramp, fedramp-high, got a string"),
    });
    expect(parsed({ regions: ["wnam"], jurisdiction: "eu" })).toEqual({
      ok: false,
      problem: expect.stringContaining(
        "regions names wnam, outside the eu jurisdiction: its objects can only be placed in weur or eeur",
      ),
    });
  });
});

describe("the single app's placement settings", () => {
  it("read SHARDS, a comma-separated REGIONS and JURISDICTION", () => {
    const result = parseSingleAppEnv({ APP_SECRET: SECRET, SHARDS: "1", REGIONS: " eeur ", JURISDICTION: "eu" });
    expect(result).toEqual({
      ok: true,
      value: expect.objectContaining({ placement: { shards: 1, regions: ["eeur"], jurisdiction: "eu" } }),
    });
  });

  it("leave the app unplaced when blank", () => {
    const result = parseSingleAppEnv({ APP_SECRET: SECRET, SHARDS: "", REGIONS: " ", JURISDICTION: "" });
    expect(result.ok && result.value.placement).toBeUndefined();
  });

  it("keep HISTORY beside SHARDS above 1", () => {
    const result = parseSingleAppEnv({ APP_SECRET: SECRET, SHARDS: "2", HISTORY: '{"channels": ["chat-*"]}' });
    expect(result.ok && result.value.history?.channels).toEqual(["chat-*"]);
    expect(result.ok && result.value.placement?.shards).toBe(2);
  });

  it("name the setting in each problem", () => {
    expect(parseSingleAppEnv({ APP_SECRET: SECRET, SHARDS: "0", JURISDICTION: "EU" })).toEqual({
      ok: false,
      error:
        "The single-app configuration has 2 problems: " +
        `SHARDS must be a whole number from 1 to ${MAX_SHARDS}, got 0; ` +
        "JURISDICTION must be one of eu, us, fedramp, fedramp-high, got a string",
    });
    expect(parseSingleAppEnv({ APP_SECRET: SECRET, SHARDS: "four", REGIONS: "weur,,enam" })).toEqual({
      ok: false,
      error:
        "The single-app configuration has 2 problems: " +
        `SHARDS must be a whole number from 1 to ${MAX_SHARDS}, got a string; ` +
        "REGIONS may only name wnam, enam, sam, weur, eeur, apac, oc, afr, me, got an empty string",
    });
  });
});
