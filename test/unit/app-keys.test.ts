import { describe, expect, it } from "vitest";
import { findKey, keyStanding } from "../../src/config/app-keys";
import { parseAppsJson } from "../../src/config/apps-json";
import { parseSingleAppEnv } from "../../src/config/env";
import { loadApps } from "../../src/config/registry";
import { app, problemOf, SECRET } from "./support/apps-json";

const NEXT_SECRET = "next-secret-do-not-echo-0123456789";
const OLD_SECRET = "old-secret-do-not-echo-0123456789";

function expectNoSecrets(message: string): void {
  for (const secret of [SECRET, NEXT_SECRET, OLD_SECRET, "short-secret"]) expect(message).not.toContain(secret);
}

describe("an APPS entry's key pairs", () => {
  it("lists the primary pair first, then `keys` in order, with their retired flags", () => {
    const keys = [
      { key: "shop-key-next", secret: NEXT_SECRET },
      { key: "shop-key-old", secret: OLD_SECRET, retired: true },
    ];
    const result = parseAppsJson(JSON.stringify([app({ keys })]));
    expect(result.ok && result.apps[0]).toMatchObject({
      key: "shop-key",
      secret: SECRET,
      keys: [
        { key: "shop-key", secret: SECRET, retired: false },
        { key: "shop-key-next", secret: NEXT_SECRET, retired: false },
        { key: "shop-key-old", secret: OLD_SECRET, retired: true },
      ],
    });
  });

  it("takes an empty or null list as no further pairs", () => {
    for (const keys of [[], null]) {
      const result = parseAppsJson(JSON.stringify([app({ keys })]));
      expect(result.ok && result.apps[0]?.keys).toEqual([{ key: "shop-key", secret: SECRET, retired: false }]);
    }
  });

  it("finds the app by any of its keys, retired or not, and no other", () => {
    const apps = loadApps({
      APPS: JSON.stringify([
        app({ keys: [{ key: "shop-key-old", secret: OLD_SECRET, retired: true }] }),
        { id: "blog", key: "blog-key", secret: NEXT_SECRET },
      ]),
    });
    if (!apps.ok) throw new Error(apps.problem);
    expect(apps.byKey("shop-key")?.id).toBe("shop");
    expect(apps.byKey("shop-key-old")?.id).toBe("shop");
    expect(apps.byKey("blog-key")?.id).toBe("blog");
    expect(apps.byKey("shop-key-gone")).toBeUndefined();
  });

  it("names every problem of every pair at once, never quoting a secret", () => {
    const problem = problemOf([
      app({
        keys: [
          "shop-key-next",
          { key: "has space", secret: NEXT_SECRET },
          { key: "shop-key-short", secret: "short-secret" },
          { key: "shop-key-flag", secret: NEXT_SECRET, retired: "yes" },
          { key: "shop-key-extra", secret: NEXT_SECRET, expires: "2027-01-01" },
        ],
      }),
    ]);
    const where = 'APPS[0] (app "shop").keys';
    expect(problem).toBe(
      "APPS has 5 problems: " +
        `${where}[0] must be an object with key and secret; ` +
        `${where}[1].key must be a string of letters, digits, '_', '-' or '.' (at most 100); ` +
        `${where}[2].secret must be a string of at least 16 characters; ` +
        `${where}[3].retired must be true or false; ` +
        `${where}[4].expires is not a key pair option (key, secret, retired)`,
    );
    expectNoSecrets(problem);
  });

  it("refuses `keys` that is not a list", () => {
    expect(problemOf([app({ keys: { key: "shop-key-next", secret: NEXT_SECRET } })])).toBe(
      'APPS has 1 problem: APPS[0] (app "shop").keys must be a list of key pairs such as [{"key": "...", "secret": "..."}]',
    );
  });

  it("refuses a key used twice within an app", () => {
    const problem = problemOf([
      app({
        keys: [
          { key: "shop-key", secret: NEXT_SECRET },
          { key: "shop-key-next", secret: NEXT_SECRET },
          { key: "shop-key-next", secret: OLD_SECRET, retired: true },
        ],
      }),
    ]);
    expect(problem).toBe(
      "APPS has 2 problems: " +
        `APPS[0] (app "shop").keys[0].key repeats the app's key: each pair needs a key of its own; ` +
        'APPS[0] (app "shop").keys[2].key repeats the key of APPS[0] (app "shop").keys[1]',
    );
    expectNoSecrets(problem);
  });

  it("refuses a key that another app uses, as its key or in its pairs, retired or not", () => {
    const problem = problemOf([
      app({ keys: [{ key: "shared-old", secret: OLD_SECRET, retired: true }] }),
      { id: "blog", key: "shared-old", secret: NEXT_SECRET, keys: [{ key: "shop-key", secret: NEXT_SECRET }] },
    ]);
    expect(problem).toBe(
      "APPS has 2 problems: " +
        'APPS[1] (app "blog"): key is already used by APPS[0]; ' +
        'APPS[1] (app "blog"): keys[0].key is already used by APPS[0]',
    );
    expectNoSecrets(problem);
  });
});

describe("APP_KEYS, the single app's further pairs", () => {
  it("follow APP_KEY and APP_SECRET, which stay the primary pair", () => {
    const parsed = parseSingleAppEnv({
      APP_KEY: "one-key",
      APP_SECRET: SECRET,
      APP_KEYS: JSON.stringify([{ key: "one-key-old", secret: OLD_SECRET, retired: true }]),
    });
    expect(parsed.ok && parsed.value).toMatchObject({
      key: "one-key",
      secret: SECRET,
      keys: [
        { key: "one-key", secret: SECRET, retired: false },
        { key: "one-key-old", secret: OLD_SECRET, retired: true },
      ],
    });
  });

  it("are none when unset or blank", () => {
    for (const APP_KEYS of [undefined, "", "  "]) {
      const parsed = parseSingleAppEnv({ APP_SECRET: SECRET, APP_KEYS });
      expect(parsed.ok && parsed.value.keys).toEqual([{ key: "sower-key", secret: SECRET, retired: false }]);
    }
  });

  it("name their problems under APP_KEYS, never quoting a secret", () => {
    const parsed = parseSingleAppEnv({
      APP_SECRET: SECRET,
      APP_KEYS: JSON.stringify([
        { key: "sower-key", secret: NEXT_SECRET },
        { key: "sower-key-2", secret: "short-secret" },
      ]),
    });
    expect(parsed).toEqual({
      ok: false,
      error:
        "The single-app configuration has 2 problems: " +
        "APP_KEYS[0].key repeats APP_KEY: each pair needs a key of its own; " +
        "APP_KEYS[1].secret must be a string of at least 16 characters",
    });
    expectNoSecrets(parsed.ok ? "" : parsed.error);
  });

  it("refuse text that is not JSON without quoting it", () => {
    const parsed = parseSingleAppEnv({ APP_SECRET: SECRET, APP_KEYS: `[{"key":"k2","secret":"${NEXT_SECRET}"` });
    expect(parsed).toEqual({ ok: false, error: "APP_KEYS is not valid JSON" });
  });
});

describe("a key's standing", () => {
  const keys = [
    { key: "current", secret: SECRET, retired: false },
    { key: "old", secret: OLD_SECRET, retired: true },
  ];

  it("is current, retired, or unknown for a key the app no longer lists", () => {
    expect(keyStanding({ keys }, "current")).toBe("current");
    expect(keyStanding({ keys }, "old")).toBe("retired");
    expect(keyStanding({ keys }, "removed")).toBe("unknown");
    expect(findKey({ keys }, "old")).toEqual(keys[1]);
    expect(findKey({ keys }, "removed")).toBeUndefined();
  });
});
