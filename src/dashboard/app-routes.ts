import type { AuditRequest } from "../audit/entry";
import { auditRequestFor } from "../audit/request";
import type { App } from "../config/app";
import type { AppRegistry } from "../config/registry";
import { tryDecodeURIComponent } from "../lib/text";
import { bodyLimit, readBody } from "../rest/body";
import { appToday, seriesReply } from "./graphs";
import { type AppAccess, appStats, channelDetail, channelList, publish } from "./reads";
import { fromRestError, fromRestReply, refusal } from "./replies";
import type { Scope } from "./session";

/** The apps a session may see: all of them for the operator, its own for a tenant. */
export function visibleApps(scope: Scope, apps: Pick<AppRegistry, "all" | "byId">): readonly App[] {
  if (scope.kind === "operator") return apps.all();
  const app = apps.byId(scope.appId);
  return app === undefined ? [] : [app];
}

/** `GET api/apps`: each visible app with its statistics, in configuration order. */
export async function listApps(
  scope: Scope,
  apps: AppRegistry,
  { beacons, hubs }: Pick<AppAccess, "beacons" | "hubs">,
): Promise<Response> {
  const now = Date.now();
  const listed = await Promise.all(
    visibleApps(scope, apps).map(async (app) => {
      const [stats, today] = await Promise.all([
        appStats({ app, beacons, hubs }),
        appToday({ app, beacons, hubs }, now),
      ]);
      return {
        id: app.id,
        enabled: app.enabled,
        webhooks: app.webhooks.length,
        stats: stats.ok ? stats.value : null,
        today: today.ok ? today.value : null,
      };
    }),
  );
  return Response.json({ apps: listed });
}

/** The app a path names, if the session may see it; otherwise the refusal to answer with. */
export function scopedApp(rawId: string, scope: Scope, apps: Pick<AppRegistry, "byId">): App | Response {
  const appId = tryDecodeURIComponent(rawId);
  const app = appId === undefined ? undefined : apps.byId(appId);
  if (app === undefined) return refusal(404, "No such app");
  if (scope.kind === "app" && scope.appId !== app.id) {
    return refusal(403, "This session opens one app only; log in with this app's key and secret to see it");
  }
  return app;
}

/** A dashboard change's audit entry (docs/audit.md): made with the app's key, or the operator's token. */
export function dashboardAudit(app: App, request: Request, endpoint: string, scope: Scope): AuditRequest | undefined {
  return auditRequestFor(app, request, endpoint, scope.kind === "app" ? scope.key : "operator");
}

const APP_PATH = /^\/api\/apps\/([^/]+)\/(channels|events|series)(?:\/([^/]+))?$/;

/** `api/apps/{id}/channels`, `.../channels/{name}`, `.../series` and `POST .../events`, or undefined for another path. */
export async function serveAppPath(
  request: Request,
  path: string,
  scope: Scope,
  apps: AppRegistry,
  { beacons, hubs }: Pick<AppAccess, "beacons" | "hubs">,
): Promise<Response | undefined> {
  const match = APP_PATH.exec(path);
  if (match === null) return undefined;
  const [, rawId = "", what, rawChannel] = match;
  const app = scopedApp(rawId, scope, apps);
  if (app instanceof Response) return app;
  const access: AppAccess = { app, beacons, hubs };

  if (what === "events") {
    if (rawChannel !== undefined) return refusal(404, "Not found");
    if (request.method !== "POST") return refusal(405, "Use POST to publish");
    if (!app.enabled) return refusal(403, "App is disabled");
    const body = await readBody(request, bodyLimit(app.limits));
    if (!body.ok) return fromRestError(body.error);
    return fromRestReply(
      await publish(access, body.value, dashboardAudit(app, request, "dashboard POST /events", scope)),
    );
  }
  if (request.method !== "GET") return refusal(405, "Use GET");
  if (what === "series") {
    return rawChannel === undefined
      ? seriesReply(access, new URL(request.url).searchParams, Date.now())
      : refusal(404, "Not found");
  }
  if (rawChannel === undefined) return fromRestReply(await channelList(access));
  const channel = tryDecodeURIComponent(rawChannel);
  if (channel === undefined) return refusal(400, "The channel name is not valid percent-encoding");
  return fromRestReply(await channelDetail(access, channel));
}
