import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { SHARDED_TEST_APPS, TEST_APPS, TEST_SHARDS } from "./test/integration/support/apps.ts";

const SECRET = "integration-secret-0123456789";

/** The integration tier in the runtime, for apps as `apps` defines them (APPS, JSON). */
function integration(name: string, apps: unknown) {
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.jsonc" },
        // APPS holds the default app (same id, key, secret and webhooks as before) and apps for multi-app tests.
        miniflare: { bindings: { APP_SECRET: SECRET, APPS: JSON.stringify(apps) } },
      }),
    ],
    test: { name, include: ["test/integration/**/*.test.ts"] },
  };
}

/** The same runtime with the opt-in options of the single app's settings switched on, at `shards`. */
function integrationOptions(name: string, shards: number) {
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.jsonc" },
        miniflare: {
          bindings: {
            APP_SECRET: SECRET,
            SUBSCRIPTION_COUNT_EVENTS: "true",
            ENABLE_USER_AUTHENTICATION: "true",
            USER_AUTHENTICATION_TIMEOUT_MS: "2000",
            SHARDS: String(shards),
          },
        },
      }),
    ],
    test: { name, include: ["test/integration-options/**/*.test.ts"] },
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

/**
 * Test tiers as Vitest projects, split by where they run:
 * unit (pure code, Node), integration (inside workerd through the Workers
 * integration), e2e (real pusher-js and pusher SDK against `wrangler dev`),
 * browser (pusher-js, Laravel Echo and the guides' snippets in the Chromium that
 * the @sparticuz/chromium devDependency ships, against a `wrangler dev` of their own).
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: { name: "unit", include: ["test/unit/**/*.test.ts"], environment: "node" },
      },
      // Every tier that runs Sower runs it twice: each app on one Beacon, and spread over shards (docs/scaling.md).
      integration("integration", TEST_APPS),
      integration("integration-sharded", SHARDED_TEST_APPS),
      integrationOptions("integration-options", 1),
      integrationOptions("integration-options-sharded", TEST_SHARDS),
      e2e("e2e", 1),
      e2e("e2e-sharded", TEST_SHARDS),
      {
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          environment: "node",
          // Each file drives its own Chromium; one at a time keeps a small machine responsive.
          fileParallelism: false,
          // The browser first: a machine that cannot run it fails before wrangler starts.
          globalSetup: ["test/browser/global-setup.ts", "test/e2e/global-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
