import type { AuditRequest } from "../audit/entry";
import { auditRequestFor } from "../audit/request";
import { type AuditWorker, recordRefusal, settleRefusals } from "../audit/worker-records";
import { verifyRestSignature } from "../auth/rest-signature";
import type { App } from "../config/app";
import type { AppRegistry } from "../config/registry";
import { isRecord } from "../lib/json";
import { err, ok, type Result } from "../lib/result";
import { clip, tryDecodeURIComponent } from "../lib/text";
import { log } from "../log";
import { REST_AUTH_PARAMS, type RestError, restError } from "../protocol/rest";
import { type AppBackend, backendFor } from "../sharded/backend";
import { bodyLimit, readBody } from "./body";
import type { Endpoint, RestReply } from "./call";
import { getAuditLog } from "./endpoints/audit-log";
import { getChannelHistory } from "./endpoints/channel-history";
import { getChannelInfo } from "./endpoints/channel-info";
import { getChannelUsers } from "./endpoints/channel-users";
import { listChannels } from "./endpoints/list-channels";
import { getMetrics } from "./endpoints/metrics";
import { getStats } from "./endpoints/stats";
import { terminateConnections } from "./endpoints/terminate-connections";
import { triggerBatch } from "./endpoints/trigger-batch";
import { triggerEvents } from "./endpoints/trigger-events";

interface Route {
  readonly path: RegExp;
  readonly method: "GET" | "POST";
  readonly endpoint: Endpoint;
}

/** Paths below `/apps/{app_id}`; capture groups are the path parameters. */
const ROUTES: readonly Route[] = [
  { path: /^\/events\/?$/, method: "POST", endpoint: triggerEvents },
  { path: /^\/batch_events\/?$/, method: "POST", endpoint: triggerBatch },
  { path: /^\/channels\/?$/, method: "GET", endpoint: listChannels },
  { path: /^\/channels\/([^/]+)\/?$/, method: "GET", endpoint: getChannelInfo },
  { path: /^\/channels\/([^/]+)\/users\/?$/, method: "GET", endpoint: getChannelUsers },
  // Sower's own: a history channel's stored events (docs/history.md).
  { path: /^\/channels\/([^/]+)\/history\/?$/, method: "GET", endpoint: getChannelHistory },
  { path: /^\/users\/([^/]+)\/terminate_connections\/?$/, method: "POST", endpoint: terminateConnections },
  // Sower's own, for operators: signed like every other call, so the pusher SDKs' get() reads them.
  { path: /^\/stats\/?$/, method: "GET", endpoint: getStats },
  { path: /^\/metrics\/?$/, method: "GET", endpoint: getMetrics },
  // Sower's own: the app's audit log and whether its hash chains verify (docs/audit.md).
  { path: /^\/audit\/?$/, method: "GET", endpoint: getAuditLog },
];

const APP_PATH = /^\/apps\/([^/]+)(\/.*)?$/;

/**
 * `/apps/{app_id}/...`, Pusher's HTTP API. Everything that can be refused is
 * refused here, in the stateless Worker, in this order: unknown path (404),
 * wrong method (405), unknown app (404), body too large (413), signature
 * (401), app disabled (403), bad parameters (400/413). Only then does the
 * app's Beacon get one RPC. A call refused on the way is recorded in the
 * app's audit log (docs/audit.md).
 */
export async function handleRest(
  request: Request,
  url: URL,
  apps: Pick<AppRegistry, "byId">,
  beacons: Env["BEACON"],
  hubs: Env["HUB"],
  audit: AuditWorker,
): Promise<Response> {
  try {
    const reply = await serve(request, url, apps, beacons, hubs, audit);
    if (!reply.ok) return errorResponse(reply.error);
    return reply.value instanceof Response ? reply.value : Response.json(reply.value);
  } catch (error) {
    log("error", "rest request failed", { method: request.method, path: url.pathname, error: String(error) });
    return errorResponse(restError(500, "Internal error: the request could not be completed. Try again."));
  }
}

async function serve(
  request: Request,
  url: URL,
  apps: Pick<AppRegistry, "byId">,
  beacons: Env["BEACON"],
  hubs: Env["HUB"],
  audit: AuditWorker,
): Promise<RestReply> {
  const matched = APP_PATH.exec(url.pathname);
  const [, rawAppId = "", rest = ""] = matched ?? [];
  const found = findRoute(rest, request.method);
  if (!found.ok) return found;
  const { route, params } = found.value;

  const appId = tryDecodeURIComponent(rawAppId);
  const app = appId === undefined ? undefined : apps.byId(appId);
  if (app === undefined) return err(restError(404, `Unknown app id '${clip(appId ?? rawAppId)}'`));

  settleRefusals(audit, app);
  const entry = auditRequestFor(
    app,
    request,
    `${request.method} ${rest}`,
    url.searchParams.get(REST_AUTH_PARAMS.key) ?? "",
  );
  let backend: AppBackend | undefined;
  const reply = await serveApp(request, url, { app, route, params, entry, audit }, () => {
    backend ??= backendFor(app, beacons, hubs);
    return backend;
  });
  // No object was asked, so none recorded it: a refusal of the Worker's own (a signature, a size, a bad value).
  if (
    entry !== undefined &&
    !reply.ok &&
    backend === undefined &&
    (request.method === "POST" || reply.error.status === 401)
  ) {
    await recordRefusal(audit, app, { ...entry, status: reply.error.status }, reply.error.message);
  }
  return withFailedShards(reply, backend?.failedShards ?? 0);
}

interface KnownAppCall {
  readonly app: App;
  readonly route: Route;
  readonly params: readonly string[];
  /** Absent when the app records nothing. */
  readonly entry: AuditRequest | undefined;
  readonly audit: AuditWorker;
}

/** A call to a known app: its body, signature and parameters checked, then its endpoint. */
async function serveApp(
  request: Request,
  url: URL,
  { app, route, params, entry, audit }: KnownAppCall,
  beacon: () => AppBackend,
): Promise<RestReply> {
  const body = await readBody(request, bodyLimit(app.limits));
  if (!body.ok) return body;
  const signed = await verifyRestSignature(
    app,
    { method: request.method, path: url.pathname, query: url.search, body: body.value },
    Date.now() / 1000,
  );
  if (!signed.ok) {
    log("warn", "rest auth failed", {
      app: app.id,
      method: request.method,
      path: clip(url.pathname),
      reason: clip(signed.error),
    });
    return err(restError(401, signed.error));
  }
  if (!app.enabled) return err(restError(403, "App is disabled"));

  const decoded: string[] = [];
  for (const param of params) {
    const value = tryDecodeURIComponent(param);
    if (value === undefined) return err(restError(400, `Path segment '${clip(param)}' is not valid percent-encoding`));
    decoded.push(value);
  }
  const call = { app, query: url.searchParams, body: body.value, params: decoded, beacon };
  return route.endpoint({ ...call, ...(entry === undefined ? {} : { audit: entry }), auditLog: audit.db });
}

/**
 * A sharded app's shard that failed its part of a call: the others did
 * theirs, so the call is answered as usual (a retry would deliver twice)
 * and the answer says how many shards missed it. Logged where it happened.
 */
function withFailedShards(reply: RestReply, failedShards: number): RestReply {
  if (failedShards === 0 || !reply.ok || !isRecord(reply.value)) return reply;
  return ok({ ...reply.value, failed_shards: failedShards });
}

function findRoute(path: string, method: string): Result<{ route: Route; params: string[] }, RestError> {
  const allowed: string[] = [];
  for (const route of ROUTES) {
    const match = route.path.exec(path);
    if (match === null) continue;
    if (route.method === method) return ok({ route, params: match.slice(1).map((param) => param ?? "") });
    allowed.push(route.method);
  }
  if (allowed.length === 0) return err(restError(404, `Unknown API path '${clip(path || "/")}'`));
  const allow = allowed.join(", ");
  return err({ status: 405, message: `Method ${clip(method)} is not allowed here: use ${allow}`, allow });
}

/**
 * Pusher answers errors in plain text and the SDKs hand that text to the
 * developer unchanged (pusher-http-node's RequestError.body), so the text
 * says what was wrong and how to fix it.
 */
function errorResponse(error: RestError): Response {
  const headers = new Headers({ "Content-Type": "text/plain; charset=utf-8" });
  if (error.allow !== undefined) headers.set("Allow", error.allow);
  if (error.retryAfterSeconds !== undefined) headers.set("Retry-After", String(error.retryAfterSeconds));
  return new Response(`${error.message}\n`, { status: error.status, headers });
}
