import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { TEST_APPS } from "./test/integration/support/apps.ts";

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
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.jsonc" },
            // APPS holds the default app (same id, key, secret and webhooks as before) and apps for multi-app tests.
            miniflare: { bindings: { APP_SECRET: "integration-secret-0123456789", APPS: JSON.stringify(TEST_APPS) } },
          }),
        ],
        test: { name: "integration", include: ["test/integration/**/*.test.ts"] },
      },
      {
        // The same runtime with the opt-in app options switched on, for the features they gate.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.jsonc" },
            miniflare: {
              bindings: {
                APP_SECRET: "integration-secret-0123456789",
                SUBSCRIPTION_COUNT_EVENTS: "true",
                ENABLE_USER_AUTHENTICATION: "true",
                USER_AUTHENTICATION_TIMEOUT_MS: "2000",
              },
            },
          }),
        ],
        test: { name: "integration-options", include: ["test/integration-options/**/*.test.ts"] },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/e2e/global-setup.ts"],
          testTimeout: 20_000,
          hookTimeout: 60_000,
        },
      },
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
