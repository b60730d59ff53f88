import { auditWorker } from "./audit/worker-records";
import { type AppsResult, loadApps } from "./config/registry";
import { handleDashboard, isDashboardPath } from "./dashboard/routes";
import type { DashboardEnv } from "./dashboard/settings";
import { scrapeMetrics } from "./metrics/scrape";
import type { MetricsEnv } from "./metrics/token";
import { parseSocketPath } from "./protocol/socket-path";
import { handleRest } from "./rest/router";
import { upgradeSocket } from "./upgrade";

const REST_PREFIX = "/apps/";

/** Every request enters here; anything that can be refused is refused before a Beacon wakes. */
export async function route(
  request: Request,
  env: Env & MetricsEnv & DashboardEnv,
  context?: Pick<ExecutionContext, "waitUntil">,
): Promise<Response> {
  const response = await answer(request, env, context);
  // A body nobody read (a refusal, a path that takes none) is cancelled rather than
  // left to be drained: a client may declare gigabytes and never send them.
  if (request.body !== null && !request.bodyUsed && !request.body.locked) await request.body.cancel();
  return response;
}

async function answer(
  request: Request,
  env: Env & MetricsEnv & DashboardEnv,
  context: Pick<ExecutionContext, "waitUntil"> | undefined,
): Promise<Response> {
  // The runtime passes on request targets that are no URL at all, such as "GET *".
  if (!URL.canParse(request.url)) return text(400, "Bad request target: send a path such as /apps/{app_id}/events");
  const url = new URL(request.url);
  const apps = loadApps(env);
  if (url.pathname === "/health") return health(apps);
  if (!apps.ok) return text(503, `Sower is not configured: ${apps.problem}`);

  const socket = parseSocketPath(url.pathname);
  if (socket.kind !== "other") return upgradeSocket(request, url, socket, apps, env.BEACON);
  const audit = auditWorker(env, context);
  if (url.pathname.startsWith(REST_PREFIX)) return handleRest(request, url, apps, env.BEACON, env.HUB, audit);
  if (isDashboardPath(url.pathname)) return handleDashboard(request, url, apps, env, audit);
  if (url.pathname === "/metrics" && request.method === "GET") {
    const scraped = await scrapeMetrics(request, env, apps);
    if (scraped !== undefined) return scraped;
  }
  return text(404, `Not found: ${url.pathname}`);
}

/**
 * For load balancers and uptime checks: answered by the Worker alone, so it
 * never wakes a Beacon. A configuration problem fails it; problems never
 * quote secrets.
 */
function health(apps: AppsResult): Response {
  if (!apps.ok) return Response.json({ status: "misconfigured", problem: apps.problem }, { status: 503 });
  return Response.json({ status: "ok", apps: apps.all().length });
}

function text(status: number, body: string): Response {
  return new Response(`${body}\n`, { status, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}
