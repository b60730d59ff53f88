import { describe, expect, it } from "vitest";
import { parseSingleAppEnv } from "../../src/config/env";
import { crossSiteRefusal } from "../../src/dashboard/guard";
import { authenticate, parseCredentials } from "../../src/dashboard/login";
import { type SecretOf, signSession, verifySession } from "../../src/dashboard/session";
import { readDashboardToken } from "../../src/dashboard/settings";

const TOKEN = "unit-dashboard-token-0123456789abcdef";
const secrets: SecretOf = (appId, key) => (appId === "app" && key === "app-key" ? "app-secret-0123456789" : undefined);
const operator = { scope: { kind: "operator" as const }, expires: 2000 };
const tenant = { scope: { kind: "app" as const, appId: "app", key: "app-key" }, expires: 2000 };

async function signed(session: typeof operator | typeof tenant, secretOf: SecretOf = secrets): Promise<string> {
  const value = await signSession(session, TOKEN, secretOf);
  if (value === undefined) throw new Error("expected a session");
  return value;
}

describe("dashboard sessions", () => {
  it("round-trip for the operator and for a tenant until they expire", async () => {
    expect(await verifySession(await signed(operator), TOKEN, 1999, secrets)).toEqual(operator);
    expect(await verifySession(await signed(tenant), TOKEN, 1999, secrets)).toEqual(tenant);
    expect(await verifySession(await signed(operator), TOKEN, 2000, secrets)).toBeUndefined();
  });

  it("are refused under another token, with a changed MAC, or with extra parts", async () => {
    const value = await signed(operator);
    expect(await verifySession(value, `${TOKEN}x`, 0, secrets)).toBeUndefined();
    expect(await verifySession(`${value.slice(0, -1)}0`, TOKEN, 0, secrets)).toBeUndefined();
    expect(await verifySession(`${value}.x`, TOKEN, 0, secrets)).toBeUndefined();
    expect(await verifySession("not-a-session", TOKEN, 0, secrets)).toBeUndefined();
  });

  it("end a tenant's session when its key's secret changes or the key goes", async () => {
    const value = await signed(tenant);
    expect(await verifySession(value, TOKEN, 0, () => "rotated-secret-0123456789")).toBeUndefined();
    expect(await verifySession(value, TOKEN, 0, () => undefined)).toBeUndefined();
    expect(await signSession(tenant, TOKEN, () => undefined)).toBeUndefined();
  });
});

describe("dashboard logins", () => {
  it("parse a token, or a key and secret, and nothing else", () => {
    expect(parseCredentials({ token: "t" })).toEqual({ ok: true, value: { kind: "token", token: "t" } });
    expect(parseCredentials({ key: "k", secret: "s" })).toEqual({
      ok: true,
      value: { kind: "app", key: "k", secret: "s" },
    });
    for (const body of [null, [], { token: 1 }, { key: "k" }, { token: "t", secret: "s" }]) {
      expect(parseCredentials(body).ok).toBe(false);
    }
  });

  it("open the scope the credentials name", () => {
    const app = parseSingleAppEnv({ APP_ID: "app", APP_KEY: "app-key", APP_SECRET: "app-secret-0123456789" });
    if (!app.ok) throw new Error(app.error);
    const registry = { byKey: (key: string) => (key === "app-key" ? app.value : undefined) };
    expect(authenticate({ kind: "token", token: TOKEN }, TOKEN, registry)).toEqual({ kind: "operator" });
    expect(authenticate({ kind: "token", token: "wrong" }, TOKEN, registry)).toBeUndefined();
    expect(authenticate({ kind: "app", key: "app-key", secret: "app-secret-0123456789" }, TOKEN, registry)).toEqual({
      kind: "app",
      appId: "app",
      key: "app-key",
    });
    // The dashboard token is not an app secret.
    expect(authenticate({ kind: "app", key: "other", secret: TOKEN }, TOKEN, registry)).toBeUndefined();
  });
});

describe("DASHBOARD_TOKEN", () => {
  it("is off when unset or blank, on from 32 characters, and a problem below", () => {
    expect(readDashboardToken({})).toEqual({ ok: true, value: { state: "off" } });
    expect(readDashboardToken({ DASHBOARD_TOKEN: "  " })).toEqual({ ok: true, value: { state: "off" } });
    expect(readDashboardToken({ DASHBOARD_TOKEN: "x".repeat(32) })).toEqual({
      ok: true,
      value: { state: "on", token: "x".repeat(32) },
    });
    const short = readDashboardToken({ DASHBOARD_TOKEN: "x".repeat(31) });
    expect(short.ok).toBe(false);
  });
});

describe("changes from the page", () => {
  const url = new URL("https://sower.example/dashboard/api/login");
  const post = (headers: Record<string, string>) => new Request(url, { method: "POST", headers });
  const json = { "Content-Type": "application/json" };

  it("pass from the same origin only", () => {
    expect(crossSiteRefusal(post({ ...json, "Sec-Fetch-Site": "same-origin" }), url)).toBeUndefined();
    expect(crossSiteRefusal(post({ ...json, Origin: "https://sower.example" }), url)).toBeUndefined();
    expect(crossSiteRefusal(post({ ...json, "Sec-Fetch-Site": "cross-site" }), url)).toBeDefined();
    expect(crossSiteRefusal(post({ ...json, "Sec-Fetch-Site": "none" }), url)).toBeDefined();
    expect(crossSiteRefusal(post({ ...json, Origin: "https://sower.example.evil" }), url)).toBeDefined();
    expect(crossSiteRefusal(post(json), url)).toBeDefined();
    expect(
      crossSiteRefusal(post({ "Sec-Fetch-Site": "same-origin", "Content-Type": "text/plain" }), url),
    ).toBeDefined();
  });
});
