import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { METRICS_TOKEN, SHARDED_TEST_APPS, TEST_APPS, TEST_SHARDS } from "./test/integration/support/apps.ts";

/** The audit log's D1 migrations, which each workerd tier's setup file applies (test/support/audit-database.ts). */
const AUDIT_MIGRATIONS = await readD1Migrations("migrations/audit");

/**
 * A tier that runs inside workerd through the Workers integration, with these
 * settings beside APP_SECRET, running the tests of test/`folder`.
 */
function inWorkerd(name: string, bindings: Record<string, string>, folder: string = name) {
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.jsonc" },
        miniflare: { bindings: { APP_SECRET: "integration-secret-0123456789", AUDIT_MIGRATIONS, ...bindings } },
      }),
    ],
    test: { name, include: [`test/${folder}/**/*.test.ts`], setupFiles: ["test/support/audit-database.ts"] },
  };
}

/** The opt-in options of the single app's settings switched on, at `shards`. */
function optionsAt(shards: number): Record<string, string> {
  return {
    SUBSCRIPTION_COUNT_EVENTS: "true",
    ENABLE_USER_AUTHENTICATION: "true",
    USER_AUTHENTICATION_TIMEOUT_MS: "2000",
    SHARDS: String(shards),
  };
}

/** Real clients against `wrangler dev`; SOWER_TEST_SHARDS sets the shards of every app it serves. */
function e2e(name: string, shards: number) {
  return {
    test: {
      name,
      include: ["test/e2e/**/*.test.ts"],
      environment: "node",
      env: { SOWER_TEST_SHARDS: String(shards) },
      globalSetup: ["test/e2e/global-setup.ts"],
      testTimeout: 20_000,
      hookTimeout: 60_000,
    },
  };
}

/** Real clients in Chromium against a `wrangler dev` of their own, with every app at `shards`. */
function browser(name: string, shards: number, include: string[]) {
  return {
    test: {
      name,
      include,
      environment: "node",
      env: { SOWER_TEST_SHARDS: String(shards) },
      // Each file drives its own Chromium; one at a time keeps a small machine responsive.
      fileParallelism: false,
      // The browser first: a machine that cannot run it fails before wrangler starts.
      globalSetup: ["test/browser/global-setup.ts", "test/e2e/global-setup.ts"],
      testTimeout: 30_000,
      hookTimeout: 60_000,
    },
  };
}

/**
 * Test tiers as Vitest projects, split by where they run:
 * unit (pure code, Node), integration (inside workerd through the Workers
 * integration; integration-metrics and integration-options run the same
 * runtime with other settings), e2e (real pusher-js and pusher SDK against `wrangler dev`),
 * browser (pusher-js, Laravel Echo and the guides' snippets in the Chromium that
 * the @sparticuz/chromium devDependency ships, against a `wrangler dev` of their own).
 * Every tier that runs Sower's clients against it runs twice: each app on one
 * Beacon, and spread over shards (docs/scaling.md).
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: { name: "unit", include: ["test/unit/**/*.test.ts"], environment: "node" },
      },
      // APPS holds the default app (same id, key, secret and webhooks as before) and apps for multi-app tests.
      inWorkerd("integration", { APPS: JSON.stringify(TEST_APPS) }),
      inWorkerd("integration-sharded", { APPS: JSON.stringify(SHARDED_TEST_APPS) }, "integration"),
      // The same apps with METRICS_TOKEN set: only then do Beacons publish their figures for GET /metrics,
      // and the alarm that carries a quiet Beacon's last figures would otherwise show in the other tiers' alarm checks.
      inWorkerd("integration-metrics", { APPS: JSON.stringify(TEST_APPS), METRICS_TOKEN }),
      // The same runtime with the opt-in app options switched on, for the features they gate.
      inWorkerd("integration-options", optionsAt(1)),
      inWorkerd("integration-options-sharded", optionsAt(TEST_SHARDS), "integration-options"),
      e2e("e2e", 1),
      e2e("e2e-sharded", TEST_SHARDS),
      browser("browser", 1, ["test/browser/**/*.test.ts"]),
      // The pusher-js and Laravel Echo flows again, with every app spread over shards.
      browser("browser-sharded", TEST_SHARDS, ["test/browser/pusher-js.test.ts", "test/browser/laravel-echo.test.ts"]),
      {
        test: {
          name: "examples",
          include: ["examples/*/test/**/*.test.ts"],
          environment: "node",
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
