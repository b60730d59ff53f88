import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { METRICS_TOKEN, TEST_APPS } from "./test/integration/support/apps.ts";

/** A tier that runs inside workerd through the Workers integration, with these settings beside APP_SECRET. */
function inWorkerd(name: string, bindings: Record<string, string>) {
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.jsonc" },
        miniflare: { bindings: { APP_SECRET: "integration-secret-0123456789", ...bindings } },
      }),
    ],
    test: { name, include: [`test/${name}/**/*.test.ts`] },
  };
}

/**
 * Test tiers as Vitest projects, split by where they run:
 * unit (pure code, Node), integration (inside workerd through the Workers
 * integration; integration-metrics and integration-options run the same
 * runtime with other settings), e2e (real pusher-js and pusher SDK against `wrangler dev`),
 * browser (pusher-js, Laravel Echo and the guides' snippets in the Chromium that
 * the @sparticuz/chromium devDependency ships, against a `wrangler dev` of their own).
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: { name: "unit", include: ["test/unit/**/*.test.ts"], environment: "node" },
      },
      // APPS holds the default app (same id, key, secret and webhooks as before) and apps for multi-app tests.
      inWorkerd("integration", { APPS: JSON.stringify(TEST_APPS) }),
      // The same apps with METRICS_TOKEN set: only then do Beacons publish their figures for GET /metrics,
      // and the alarm that carries a quiet Beacon's last figures would otherwise show in the other tiers' alarm checks.
      inWorkerd("integration-metrics", { APPS: JSON.stringify(TEST_APPS), METRICS_TOKEN }),
      // The same runtime with the opt-in app options switched on, for the features they gate.
      inWorkerd("integration-options", {
        SUBSCRIPTION_COUNT_EVENTS: "true",
        ENABLE_USER_AUTHENTICATION: "true",
        USER_AUTHENTICATION_TIMEOUT_MS: "2000",
      }),
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
