import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { route } from "../../src/router";
import { APP_A, APP_B, DEFAULT_APP, RETIRED_PAIR, ROTATING_APP, TEST_APPS } from "./support/apps";
import { DASHBOARD_TOKEN, dashboard, freshAddress, json, logIn, ORIGIN } from "./support/dashboard";

const LOGIN_FAILED = { error: "Wrong key or secret" };

describe("the dashboard is off without DASHBOARD_TOKEN", () => {
  it("answers 404 on every dashboard path, as on any unknown path", async () => {
    for (const path of ["/dashboard", "/dashboard/", "/dashboard/app.js", "/dashboard/api/apps"]) {
      expect((await SELF.fetch(`${ORIGIN}${path}`)).status, path).toBe(404);
    }
  });

  it("refuses a token shorter than 32 characters without quoting it", async () => {
    const short = "too-short-token-0123456789abcde";
    const response = await dashboard("/", { token: short });
    expect(response.status).toBe(503);
    const text = await response.text();
    expect(text).toContain("DASHBOARD_TOKEN is shorter than 32 characters");
    expect(text).not.toContain(short);
  });
});

describe("the dashboard's page", () => {
  it("is served with a strict Content-Security-Policy and holds no token", async () => {
    const response = await dashboard("/");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toContain("text/html");
    const csp = response.headers.get("Content-Security-Policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe");
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
    const page = await response.text();
    expect(page).toContain('src="/dashboard/app.js"');
    expect(page).not.toContain(DASHBOARD_TOKEN);
  });

  it("serves its script and refusals with the same headers", async () => {
    const script = await dashboard("/app.js");
    expect(script.status).toBe(200);
    expect(script.headers.get("Content-Security-Policy")).toContain("default-src 'none'");
    const refused = await dashboard("/api/apps");
    expect(refused.status).toBe(401);
    expect(refused.headers.get("Content-Security-Policy")).toContain("default-src 'none'");
  });

  it("answers 404 for a file it does not have", async () => {
    expect((await dashboard("/nothing.js")).status).toBe(404);
  });
});

describe("logging in", () => {
  it("with the operator's token opens every app, with a signed, locked-down session cookie", async () => {
    const response = await dashboard("/api/login", { body: { token: DASHBOARD_TOKEN } });
    expect(response.status).toBe(200);
    const cookie = response.headers.get("Set-Cookie") ?? "";
    expect(cookie).toMatch(/^sower_dashboard=[\w-]+\.[0-9a-f]{64}; /);
    for (const attribute of ["HttpOnly", "Secure", "SameSite=Strict", "Path=/dashboard", "Max-Age=28800"]) {
      expect(cookie).toContain(attribute);
    }
    expect(cookie).not.toContain(DASHBOARD_TOKEN);
    const body = await json(response);
    expect(body).toEqual({ operator: true, apps: TEST_APPS.map((app) => app.id) });
    const session = await dashboard("/api/session", { cookie: cookie.split(";")[0] });
    expect(await json(session)).toEqual(body);
  });

  it("with an app's key and secret opens that app alone", async () => {
    const cookie = await logIn({ key: APP_A.key, secret: APP_A.secret });
    expect(await json(await dashboard("/api/session", { cookie }))).toEqual({ operator: false, apps: [APP_A.id] });
    const apps = await json(await dashboard("/api/apps", { cookie }));
    expect(apps.apps).toEqual([expect.objectContaining({ id: APP_A.id })]);
    const other = await dashboard(`/api/apps/${APP_B.id}/channels`, { cookie });
    expect(other.status).toBe(403);
    expect(await json(other)).toEqual({ error: expect.stringContaining("opens one app only") });
    const publish = await dashboard(`/api/apps/${APP_B.id}/events`, {
      cookie,
      body: { name: "x", channel: "c", data: "{}" },
    });
    expect(publish.status).toBe(403);
  });

  it("refuses a wrong token, a wrong secret, an unknown key and a retired key alike", async () => {
    const wrongToken = await dashboard("/api/login", { body: { token: `${DASHBOARD_TOKEN}x` } });
    expect(wrongToken.status).toBe(401);
    expect(wrongToken.headers.get("Set-Cookie")).toBeNull();
    for (const credentials of [
      { key: APP_A.key, secret: APP_B.secret },
      { key: "no-such-key", secret: APP_A.secret },
      RETIRED_PAIR,
    ]) {
      const response = await dashboard("/api/login", { body: credentials });
      expect(response.status).toBe(401);
      expect(await json(response)).toEqual(LOGIN_FAILED);
    }
    expect(ROTATING_APP.keys).toContainEqual(expect.objectContaining({ key: RETIRED_PAIR.key, retired: true }));
  });

  it("refuses a body that is neither a token nor a key and secret", async () => {
    const response = await dashboard("/api/login", { body: { token: DASHBOARD_TOKEN, key: APP_A.key } });
    expect(response.status).toBe(400);
    expect((await dashboard("/api/login", { method: "GET" })).status).toBe(405);
  });

  it("limits login attempts per client address, failed or not, to 10 a minute", async () => {
    const address = freshAddress();
    const attempt = () =>
      dashboard("/api/login", {
        body: { token: "wrong-token-0123456789abcdef-0123456789" },
        headers: { "CF-Connecting-IP": address },
      });
    for (let i = 0; i < 10; i++) expect((await attempt()).status).toBe(401);
    const limited = await attempt();
    expect(limited.status).toBe(429);
    expect(await json(limited)).toEqual({ error: expect.stringContaining("Too many login attempts") });
    // The right token from the same address is refused too: a limited client learns nothing from its guesses.
    const right = await dashboard("/api/login", {
      body: { token: DASHBOARD_TOKEN },
      headers: { "CF-Connecting-IP": address },
    });
    expect(right.status).toBe(429);
    // Another address is not affected.
    expect((await dashboard("/api/login", { body: { token: DASHBOARD_TOKEN } })).status).toBe(200);
  });

  it("logs out by clearing the cookie", async () => {
    const response = await dashboard("/api/logout", { body: {} });
    expect(response.status).toBe(204);
    expect(response.headers.get("Set-Cookie")).toMatch(/^sower_dashboard=; Max-Age=0; Path=\/dashboard; HttpOnly/);
  });
});

describe("sessions", () => {
  it("are required for every data path", async () => {
    for (const path of ["/api/session", "/api/apps", `/api/apps/${DEFAULT_APP.id}/channels`]) {
      expect((await dashboard(path)).status, path).toBe(401);
    }
  });

  it("are never taken from the URL", async () => {
    expect((await dashboard(`/api/apps?token=${DASHBOARD_TOKEN}`)).status).toBe(401);
  });

  it("refuse a cookie whose payload was changed", async () => {
    const cookie = await logIn({ key: APP_A.key, secret: APP_A.secret });
    const [name, value = ""] = cookie.split("=");
    const [, mac] = value.split(".");
    const forged = btoa(JSON.stringify({ s: "*", e: 4102444800 })).replace(/=+$/, "");
    expect((await dashboard("/api/apps", { cookie: `${name}=${forged}.${mac}` })).status).toBe(401);
  });

  it("end when the dashboard token changes", async () => {
    const cookie = await logIn({ token: DASHBOARD_TOKEN });
    const other = "another-dashboard-token-0123456789abcdef";
    expect((await dashboard("/api/apps", { cookie, token: other })).status).toBe(401);
  });
});

describe("changes", () => {
  const publish = { name: "greeting", channel: "dashboard-changes", data: "{}" };

  it("are refused from another site", async () => {
    const cookie = await logIn({ token: DASHBOARD_TOKEN });
    const path = `/api/apps/${DEFAULT_APP.id}/events`;
    const crossSite = await dashboard(path, { cookie, body: publish, headers: { "Sec-Fetch-Site": "cross-site" } });
    expect(crossSite.status).toBe(403);
    const sameSite = await dashboard(path, { cookie, body: publish, headers: { "Sec-Fetch-Site": "same-site" } });
    expect(sameSite.status).toBe(403);
  });

  it("are refused without Sec-Fetch-Site from another Origin, or with no Origin at all", async () => {
    const cookie = await logIn({ token: DASHBOARD_TOKEN });
    const send = (headers: Record<string, string>) =>
      route(
        new Request(`${ORIGIN}/dashboard/api/apps/${DEFAULT_APP.id}/events`, {
          method: "POST",
          headers: { Cookie: cookie, "Content-Type": "application/json", ...headers },
          body: JSON.stringify(publish),
        }),
        { ...env, DASHBOARD_TOKEN },
      );
    expect((await send({ Origin: "https://evil.example" })).status).toBe(403);
    expect((await send({})).status).toBe(403);
    expect((await send({ Origin: ORIGIN })).status).toBe(200);
  });

  it("must be JSON, which a cross-site form cannot send", async () => {
    const cookie = await logIn({ token: DASHBOARD_TOKEN });
    const response = await dashboard(`/api/apps/${DEFAULT_APP.id}/events`, {
      cookie,
      body: publish,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    expect(response.status).toBe(403);
    expect(await json(response)).toEqual({ error: "Send changes as application/json" });
  });
});
