import type { AuditWorker } from "../audit/worker-records";
import type { AppRegistry } from "../config/registry";
import { tryParseJson } from "../lib/json";
import { log } from "../log";
import { readBody } from "../rest/body";
import { listApps, serveAppPath, visibleApps } from "./app-routes";
import { serveConsolePath } from "./console-routes";
import { crossSiteRefusal, secured } from "./guard";
import { authenticate, parseCredentials, secretOf } from "./login";
import { recordLogin } from "./login-audit";
import { fromRestError, refusal } from "./replies";
import {
  type Scope,
  SESSION_SECONDS,
  type SecretOf,
  sessionCookie,
  setSessionCookie,
  signSession,
  verifySession,
} from "./session";
import { type DashboardEnv, readDashboardToken } from "./settings";

export const DASHBOARD_PATH = "/dashboard";
const API = "/api/";
/** Enough for a token or a key and secret; a login body has no reason to be larger. */
const LOGIN_BODY_LIMIT = 4096;

export function isDashboardPath(pathname: string): boolean {
  return pathname === DASHBOARD_PATH || pathname.startsWith(`${DASHBOARD_PATH}/`);
}

/**
 * `/dashboard` and below. Without DASHBOARD_TOKEN the paths do not exist (404,
 * as any unknown path); with it, every answer carries the dashboard's
 * security headers. Nothing here runs unless someone requests a dashboard
 * path, so the dashboard costs nothing while nobody has it open.
 */
export async function handleDashboard(
  request: Request,
  url: URL,
  apps: AppRegistry,
  env: Env & DashboardEnv,
  audit: AuditWorker,
): Promise<Response> {
  const token = readDashboardToken(env);
  if (!token.ok) return secured(refusal(503, token.error));
  if (token.value.state === "off") return new Response(`Not found: ${url.pathname}\n`, { status: 404 });
  try {
    return secured(await answer(request, url, apps, env, { token: token.value.token, audit }));
  } catch (error) {
    log("error", "dashboard request failed", { method: request.method, path: url.pathname, error: String(error) });
    return secured(refusal(500, "Internal error: the request could not be completed. Try again."));
  }
}

async function answer(
  request: Request,
  url: URL,
  apps: AppRegistry,
  env: Env & DashboardEnv,
  { token, audit }: { token: string; audit: AuditWorker },
): Promise<Response> {
  const path = url.pathname.slice(DASHBOARD_PATH.length);
  if (!path.startsWith(API)) return serveFile(request, path, env);

  if (request.method === "POST") {
    const refused = crossSiteRefusal(request, url);
    if (refused !== undefined) return refusal(403, refused);
  }
  const secrets = secretOf(apps);
  if (path === "/api/login")
    return request.method === "POST" ? login(request, apps, env, { token, secrets, audit }) : only("POST");
  if (path === "/api/logout") {
    if (request.method !== "POST") return only("POST");
    return new Response(null, { status: 204, headers: { "Set-Cookie": setSessionCookie("", 0) } });
  }

  const cookie = sessionCookie(request);
  const session = cookie === undefined ? undefined : await verifySession(cookie, token, nowSeconds(), secrets);
  if (session === undefined) return refusal(401, "Log in first: the session is missing or has expired");
  if (path === "/api/session") return request.method === "GET" ? describe(session.scope, apps) : only("GET");
  const objects = { beacons: env.BEACON, hubs: env.HUB };
  if (path === "/api/apps") return request.method === "GET" ? listApps(session.scope, apps, objects) : only("GET");
  return (
    (await serveAppPath(request, path, session.scope, apps, objects)) ??
    (await serveConsolePath(request, url, path, session.scope, apps, objects)) ??
    refusal(404, "Not found")
  );
}

/**
 * The page's own files, from Workers Static Assets. They hold no data and
 * no secret, so they are served before login; the data behind them is not.
 */
async function serveFile(request: Request, path: string, env: DashboardEnv): Promise<Response> {
  if (request.method !== "GET" && request.method !== "HEAD") return only("GET");
  if (env.ASSETS === undefined)
    return refusal(503, "The dashboard's files are missing: wrangler.jsonc needs its assets entry");
  const file = new URL(path === "" || path === "/" ? "/" : path, request.url);
  const served = await env.ASSETS.fetch(new Request(file, { method: request.method }));
  // The assets binding redirects an .html path to its folder; the dashboard has one page and no folders to send anyone to.
  return served.status >= 300 && served.status < 400 ? refusal(404, "Not found") : served;
}

async function login(
  request: Request,
  apps: AppRegistry,
  env: DashboardEnv,
  { token, secrets, audit }: { token: string; secrets: SecretOf; audit: AuditWorker },
): Promise<Response> {
  if (env.DASHBOARD_LOGINS === undefined) {
    return refusal(503, "Logins are off: wrangler.jsonc needs the DASHBOARD_LOGINS rate limit");
  }
  const client = request.headers.get("CF-Connecting-IP") ?? "unknown";
  // Counted before the credentials are checked, so a client over the limit learns nothing from its guesses.
  const { success } = await env.DASHBOARD_LOGINS.limit({ key: client });
  if (!success) return refusal(429, "Too many login attempts from this address: wait a minute and try again");

  const body = await readBody(request, LOGIN_BODY_LIMIT);
  if (!body.ok) return fromRestError(body.error);
  const credentials = parseCredentials(tryParseJson(new TextDecoder().decode(body.value)));
  if (!credentials.ok) return refusal(400, credentials.error);
  const scope = authenticate(credentials.value, token, apps);
  await recordLogin(audit, request, apps, credentials.value, scope !== undefined);
  if (scope === undefined) {
    log("warn", "dashboard login failed", { as: credentials.value.kind });
    return refusal(401, credentials.value.kind === "token" ? "Wrong token" : "Wrong key or secret");
  }
  const value = await signSession({ scope, expires: nowSeconds() + SESSION_SECONDS }, token, secrets);
  if (value === undefined) return refusal(401, "Wrong key or secret");
  const response = describe(scope, apps);
  response.headers.append("Set-Cookie", setSessionCookie(value, SESSION_SECONDS));
  return response;
}

/** What the page needs to draw itself: who is logged in and which apps they see (never a secret). */
function describe(scope: Scope, apps: AppRegistry): Response {
  return Response.json({
    operator: scope.kind === "operator",
    apps: visibleApps(scope, apps).map((app) => app.id),
  });
}

function only(method: "GET" | "POST"): Response {
  const response = refusal(405, `Use ${method}`);
  response.headers.set("Allow", method);
  return response;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
