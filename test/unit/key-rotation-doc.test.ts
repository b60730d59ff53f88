import { describe, expect, it } from "vitest";
import type { App } from "../../src/config/app";
import { parseAppsJson } from "../../src/config/apps-json";
import { parseSingleAppEnv } from "../../src/config/env";
import { snippet } from "../browser/support/snippets";

/**
 * docs/key-rotation.md's configurations, step by step, read by the server's
 * own parsers: each must be valid, and each step must hold the pairs the
 * procedure says it does.
 */
function onlyApp(name: string): App {
  const parsed = parseAppsJson(snippet(name));
  if (!parsed.ok) throw new Error(parsed.problem);
  const [app] = parsed.apps;
  if (app === undefined || parsed.apps.length !== 1) throw new Error(`${name} should hold one app`);
  return app;
}

describe("docs/key-rotation.md, with APPS", () => {
  const added = onlyApp("rotation-add");
  const retired = onlyApp("rotation-retire");

  it("adds the new pair beside the primary one, both current", () => {
    expect(added.keys.map(({ key, retired }) => ({ key, retired }))).toEqual([
      { key: "prod-key-7f3a9c", retired: false },
      { key: "prod-key-2025b", retired: false },
    ]);
  });

  it("then makes the same new pair primary and retires the same old pair", () => {
    const [oldPair, newPair] = added.keys;
    expect(retired.keys).toEqual([
      { ...newPair, retired: false },
      { ...oldPair, retired: true },
    ]);
    expect(retired.id).toBe(added.id);
  });

  it("shows statistics for exactly those two keys", () => {
    const stats: { connections_by_key: Record<string, number> } = JSON.parse(snippet("rotation-stats"));
    expect(Object.keys(stats.connections_by_key).sort()).toEqual(added.keys.map(({ key }) => key).sort());
  });
});

describe("docs/key-rotation.md, for the single app", () => {
  const OLD = { APP_KEY: "sower-key", APP_SECRET: "the-old-long-random-secret" };

  it("adds the new pair in APP_KEYS", () => {
    const parsed = parseSingleAppEnv({ ...OLD, APP_KEYS: snippet("rotation-app-keys-add") });
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.value.keys.map(({ key, retired }) => ({ key, retired }))).toEqual([
      { key: "sower-key", retired: false },
      { key: "sower-key-2025b", retired: false },
    ]);
  });

  it("then holds the old pair in APP_KEYS, retired, behind the new primary pair", () => {
    const added = parseSingleAppEnv({ ...OLD, APP_KEYS: snippet("rotation-app-keys-add") });
    if (!added.ok) throw new Error(added.error);
    const newPair = added.value.keys[1];
    if (newPair === undefined) throw new Error("no new pair");
    const parsed = parseSingleAppEnv({
      APP_KEY: newPair.key,
      APP_SECRET: newPair.secret,
      APP_KEYS: snippet("rotation-app-keys-retire"),
    });
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.value.keys).toEqual([
      { ...newPair, retired: false },
      { key: OLD.APP_KEY, secret: OLD.APP_SECRET, retired: true },
    ]);
  });
});
