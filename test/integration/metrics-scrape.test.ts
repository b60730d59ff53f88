import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { METRICS_TOKEN } from "./support/apps";

// The scrape itself is tested in test/integration-metrics/, whose runtime has METRICS_TOKEN set.
describe("GET /metrics for every app, with METRICS_TOKEN", () => {
  it("does not exist unless METRICS_TOKEN is set", async () => {
    const response = await SELF.fetch("http://sower.test/metrics", {
      headers: { Authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(response.status).toBe(404);
  });
});
