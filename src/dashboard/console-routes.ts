import type { App } from "../config/app";
import type { AppRegistry } from "../config/registry";
import { CONSOLE_PATH } from "../contract/console";
import { objectOf, shardsOf } from "../contract/objects";
import { APP_ID_HEADER, APP_KEY_HEADER, SHARD_HEADER } from "../contract/rpc";
import { dashboardAudit, scopedApp } from "./app-routes";
import type { AppAccess } from "./reads";
import { fromRestError, refusal } from "./replies";
import type { Scope } from "./session";
import { appWebhooks, retryAppWebhooks } from "./webhook-reads";

const CONSOLE_APP_PATH = /^\/api\/apps\/([^/]+)\/(console|webhooks|webhooks\/retry)$/;

/**
 * `api/apps/{id}/console` (the debug console's sockets), `api/apps/{id}/webhooks`
 * and `POST api/apps/{id}/webhooks/retry`, or undefined for another path.
 * The session was checked before, and a POST's origin with it (routes.ts).
 */
export async function serveConsolePath(
  request: Request,
  url: URL,
  path: string,
  scope: Scope,
  apps: AppRegistry,
  objects: Pick<AppAccess, "beacons" | "hubs">,
): Promise<Response | undefined> {
  const match = CONSOLE_APP_PATH.exec(path);
  if (match === null) return undefined;
  const [, rawId = "", what] = match;
  const app = scopedApp(rawId, scope, apps);
  if (app instanceof Response) return app;
  const access = { app, ...objects };
  if (what === "webhooks/retry") {
    if (request.method !== "POST") return refusal(405, "Use POST to retry now");
    const retried = await retryAppWebhooks(
      access,
      dashboardAudit(app, request, "dashboard POST /webhooks/retry", scope),
    );
    return retried.ok ? Response.json(retried.value) : fromRestError(retried.error);
  }
  if (request.method !== "GET") return refusal(405, "Use GET");
  if (what === "webhooks") {
    const view = await appWebhooks(access);
    return view.ok ? Response.json(view.value) : fromRestError(view.error);
  }
  if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
    // The page opens one console socket per shard, straight to each object.
    return Response.json({ shards: shardsOf(app).length });
  }
  return openConsole(request, url, app, objects.beacons);
}

/**
 * A console socket, passed straight through to the object (one of the
 * app's shards, `?shard=n`), so the Worker holds nothing open. A WebSocket
 * handshake is a GET that any page may start toward any site, with the
 * browser's cookies: only the dashboard's own origin may open one.
 */
function openConsole(request: Request, url: URL, app: App, beacons: Env["BEACON"]): Promise<Response> | Response {
  const site = request.headers.get("Sec-Fetch-Site");
  if (request.headers.get("Origin") !== url.origin || (site !== null && site !== "same-origin")) {
    return refusal(403, "A console may be opened only from the dashboard's own page");
  }
  const shards = shardsOf(app);
  const index = Number(url.searchParams.get("shard") ?? "0");
  const shard = Number.isInteger(index) ? shards[index] : undefined;
  if (shard === undefined) return refusal(400, `shard must be a whole number from 0 to ${shards.length - 1}`);
  const headers = new Headers({ Upgrade: "websocket", [APP_ID_HEADER]: app.id, [APP_KEY_HEADER]: app.key });
  if (shard.name !== app.id) headers.set(SHARD_HEADER, shard.name);
  return objectOf(beacons, app.placement, shard).fetch(new Request(new URL(CONSOLE_PATH, url), { headers }));
}
