import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FAILED_ATTEMPTS, SCRAPES } from "../../src/metrics/scrape-guard";
import { route } from "../../src/router";
import { METRICS_TOKEN as TOKEN } from "../integration/support/apps";
import { warnings } from "../integration/support/logs";

/**
 * A Durable Object namespace that fails the test if the scrape so much as
 * asks it for a stub: what is refused in the Worker must not reach (or wake)
 * any object.
 */
function untouchable<Namespace>(touched: string[]): Namespace {
  const trap = new Proxy(
    {},
    {
      get(_, property) {
        touched.push(String(property));
        throw new Error(`the namespace was used: ${String(property)}`);
      },
    },
  );
  return trap as Namespace;
}

/** A scrape from `address`, with every Durable Object namespace replaced by a trap. */
function scrape(address: string, authorization: string | undefined, touched: string[] = []) {
  const headers: Record<string, string> = { "CF-Connecting-IP": address };
  if (authorization !== undefined) headers.Authorization = authorization;
  const configured: Env = {
    ...env,
    BEACON: untouchable<Env["BEACON"]>(touched),
    STATS_REGISTRY: untouchable<Env["STATS_REGISTRY"]>(touched),
  };
  return route(new Request("http://sower.test/metrics", { headers }), configured);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("GET /metrics limits, in the Worker", () => {
  it("refuses an address that sent too many wrong tokens with 429, even with the right one, and no other", async () => {
    const touched: string[] = [];
    const lines = await warnings(async () => {
      for (let i = 0; i < FAILED_ATTEMPTS.limit; i++) {
        expect((await scrape("192.0.2.10", `Bearer wrong-${i}`, touched)).status).toBe(401);
      }
      for (const authorization of ["Bearer wrong-again", `Bearer ${TOKEN}`]) {
        const refused = await scrape("192.0.2.10", authorization, touched);
        expect(refused.status).toBe(429);
        expect(await refused.text()).toBe(
          "Too many wrong tokens from this address. Check METRICS_TOKEN and retry later.\n",
        );
        expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
        expect(Number(refused.headers.get("Retry-After"))).toBeLessThanOrEqual(FAILED_ATTEMPTS.windowMs / 1000);
      }
      // Another address still gets its answer: 401 for a wrong token.
      expect((await scrape("192.0.2.11", "Bearer wrong", touched)).status).toBe(401);
    });
    // Nothing reached a Durable Object, and each address was logged once for its failures, once for the lock-out.
    expect(touched).toEqual([]);
    expect(lines).toEqual([
      { level: "warn", message: "metrics auth failed", address: "192.0.2.10" },
      { level: "warn", message: "metrics auth locked out", address: "192.0.2.10" },
      { level: "warn", message: "metrics auth failed", address: "192.0.2.11" },
    ]);
    expect(JSON.stringify(lines)).not.toContain(TOKEN);
  });
});

describe("GET /metrics scrapes, per isolate", () => {
  it("serves a share of scrapes per window and answers the rest 429 with Retry-After, logged once a window", async () => {
    const burst = 2 * SCRAPES.limit + 5;
    const headers = { Authorization: `Bearer ${TOKEN}` };
    const touched: string[] = [];
    let statuses: number[] = [];
    const lines = await warnings(async () => {
      statuses = [];
      for (let i = 0; i < burst; i++) {
        statuses.push((await route(new Request("http://sower.test/metrics", { headers }), env)).status);
      }
      // While the window is full, a refusal is answered without any Durable Object.
      const refused = await scrape("192.0.2.20", `Bearer ${TOKEN}`, touched);
      expect(refused.status).toBe(429);
      expect(await refused.text()).toBe(
        `Scrape limit reached: at most ${SCRAPES.limit} scrapes per ${SCRAPES.windowMs / 1000} seconds. Scrape less often.\n`,
      );
      expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers.get("Retry-After"))).toBeLessThanOrEqual(SCRAPES.windowMs / 1000);
    });
    expect(touched).toEqual([]);
    const served = statuses.filter((status) => status === 200).length;
    expect(served + statuses.filter((status) => status === 429).length).toBe(burst);
    // One window serves the limit; a burst straddling a window's end may get a second window's share.
    expect(served).toBeGreaterThanOrEqual(SCRAPES.limit);
    expect(served).toBeLessThanOrEqual(2 * SCRAPES.limit);
    const logged = lines.filter((line) => line.message === "metrics scrape limit reached");
    expect(logged.length).toBeGreaterThanOrEqual(1);
    expect(logged.length).toBeLessThanOrEqual(2);
    expect(logged[0]).toEqual({ level: "warn", message: "metrics scrape limit reached", limit: SCRAPES.limit });
  });
});
