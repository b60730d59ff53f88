import { env } from "cloudflare:test";
import { expect } from "vitest";
import { route } from "../../../src/router";

export const DASHBOARD_TOKEN = "dashboard-token-0123456789abcdef-XYZ";
export const ORIGIN = "http://sower.test";

let addresses = 0;
/** A client address of its own, so one test's login attempts never count against another's. */
export function freshAddress(): string {
  addresses += 1;
  return `198.51.100.${addresses}`;
}

export interface DashboardRequest {
  method?: "GET" | "POST";
  body?: unknown;
  cookie?: string;
  headers?: Record<string, string>;
  token?: string;
}

/** A request to the dashboard as its own page sends it: same-origin, JSON, with the session cookie if given. */
export function dashboard(path: string, request: DashboardRequest = {}): Promise<Response> {
  const { method = request.body === undefined ? "GET" : "POST", body, cookie, token = DASHBOARD_TOKEN } = request;
  const headers: Record<string, string> = {
    "CF-Connecting-IP": freshAddress(),
    ...(method === "POST"
      ? { "Sec-Fetch-Site": "same-origin", Origin: ORIGIN, "Content-Type": "application/json" }
      : {}),
    ...(cookie === undefined ? {} : { Cookie: cookie }),
    ...request.headers,
  };
  const init: RequestInit = { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) };
  return route(new Request(`${ORIGIN}/dashboard${path}`, init), { ...env, DASHBOARD_TOKEN: token });
}

/** Logs in and returns the `name=value` of the session cookie. */
export async function logIn(credentials: Record<string, string>): Promise<string> {
  const response = await dashboard("/api/login", { body: credentials });
  expect(response.status).toBe(200);
  const cookie = (response.headers.get("Set-Cookie") ?? "").split(";")[0] ?? "";
  expect(cookie).toMatch(/^sower_dashboard=.+/);
  return cookie;
}

export async function json(response: Response): Promise<Record<string, unknown>> {
  const body: unknown = await response.json();
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new Error("expected a JSON object");
  return Object.fromEntries(Object.entries(body));
}
