import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { route } from "../../src/router";

const SECRET = "config-secret-that-must-not-leak-0123";
const broken = JSON.stringify([
  { id: "good", key: "good-key", secret: SECRET },
  { id: "bad", key: "bad-key", secret: SECRET, max_connections: SECRET },
]);

/** APPS is a secret, so it is not in the generated Env type. */
function withApps(apps: string): Env {
  const configured: Env & { APPS: string } = { ...env, APPS: apps };
  return configured;
}

describe("a malformed APPS configuration", () => {
  it("fails /health with the problem, naming app and field but never the secret", async () => {
    const response = await route(new Request("http://sower.test/health"), withApps(broken));
    expect(response.status).toBe(503);
    const body = await response.text();
    expect(JSON.parse(body)).toEqual({
      status: "misconfigured",
      problem:
        'APPS has 1 problem: APPS[1] (app "bad").max_connections: must be a whole number of at least 1, or -1 for unlimited, got a string',
    });
    expect(body).not.toContain(SECRET);
  });

  it("serves no app at all, not even the valid ones", async () => {
    const response = await route(
      new Request("http://sower.test/app/good-key?protocol=7", { headers: { Upgrade: "websocket" } }),
      withApps(broken),
    );
    expect(response.status).toBe(503);
    const body = await response.text();
    expect(body).toMatch(/^Sower is not configured: APPS has 1 problem: APPS\[1\] \(app "bad"\)\.max_connections/);
    expect(body).not.toContain(SECRET);
  });

  it("does not quote the text around a JSON syntax error", async () => {
    const response = await route(
      new Request("http://sower.test/health"),
      withApps(`[{"id":"x","key":"x-key","secret":"${SECRET}"`),
    );
    expect(response.status).toBe(503);
    const body = await response.text();
    expect(JSON.parse(body).problem).toMatch(/^APPS is not valid JSON/);
    expect(body).not.toContain(SECRET);
  });
});
