import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { route } from "../../src/router";
import { connectApp } from "./support/app-sockets";
import { APP_A, TEST_APPS } from "./support/apps";

const TOKEN = "scrape-token-0123456789abcdef";

function scrape(headers: Record<string, string> = {}) {
  const configured: Env & { METRICS_TOKEN: string } = { ...env, METRICS_TOKEN: TOKEN };
  return route(new Request("http://sower.test/metrics", { headers }), configured);
}

describe("GET /metrics for every app, with METRICS_TOKEN", () => {
  it("does not exist unless METRICS_TOKEN is set", async () => {
    const response = await SELF.fetch("http://sower.test/metrics", { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(404);
  });

  it("refuses a missing or wrong bearer token with 401", async () => {
    expect((await scrape()).status).toBe(401);
    const wrong = await scrape({ Authorization: "Bearer scrape-token-0123456789abcdeX" });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("WWW-Authenticate")).toBe("Bearer");
    expect(await wrong.text()).not.toContain(TOKEN);
  });

  it("lists every app's series under one HELP and TYPE per metric", async () => {
    const socket = await connectApp(APP_A.key);
    const response = await scrape({ Authorization: `Bearer ${TOKEN}` });
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const lines = (await response.text()).trimEnd().split("\n");
    expect(lines.filter((line) => line === "# TYPE sower_connections gauge")).toHaveLength(1);
    const connections = lines.filter((line) => line.startsWith("sower_connections{"));
    expect(connections).toHaveLength(TEST_APPS.length);
    expect(connections).toContain(`sower_connections{app_id="${APP_A.id}"} 1`);
    for (const app of TEST_APPS) expect(lines.join("\n")).not.toContain(app.secret);
    socket.ws.close(1000);
  });
});
