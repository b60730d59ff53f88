import { keyStanding } from "./config/app-keys";
import { originAllowed } from "./config/origins";
import type { AppRegistry } from "./config/registry";
import { objectOf } from "./contract/objects";
import { refuseSocket } from "./contract/refusal";
import { APP_ID_HEADER, APP_KEY_HEADER, SHARD_HEADER } from "./contract/rpc";
import { shardForSocket } from "./placement/socket-shard";
import { PROTOCOL_VERSION } from "./protocol/constants";
import { CLOSE_CODES, type CloseCode, KEY_REFUSALS } from "./protocol/errors";
import type { SocketPath } from "./protocol/socket-path";

/**
 * `/app/{key}?protocol=7`: refusals are answered in the Worker, on a socket
 * that is accepted only to carry the Pusher error, so a bad connection never
 * wakes the app's Beacon.
 */
export function upgradeSocket(
  request: Request,
  url: URL,
  path: Exclude<SocketPath, { kind: "other" }>,
  apps: Pick<AppRegistry, "byKey">,
  beacons: Env["BEACON"],
): Promise<Response> | Response {
  if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
    return new Response("This is a Pusher WebSocket endpoint: connect with a WebSocket client such as pusher-js.\n", {
      status: 426,
      headers: { Upgrade: "websocket", "Content-Type": "text/plain; charset=utf-8" },
    });
  }
  const where = { path: url.pathname.slice(0, 200) };
  if (path.kind === "malformed") {
    return refuseSocket(CLOSE_CODES.pathNotFound, "Invalid path: connect to /app/{key}", where);
  }
  const app = apps.byKey(path.key);
  if (app === undefined) return refuseSocket(KEY_REFUSALS.unknown.code, KEY_REFUSALS.unknown.message, where);
  const refuse = (code: CloseCode, message: string) => refuseSocket(code, message, { app: app.id });
  if (keyStanding(app, path.key) === "retired") return refuse(KEY_REFUSALS.retired.code, KEY_REFUSALS.retired.message);
  if (!app.enabled) return refuse(CLOSE_CODES.appDisabled, "App is disabled");
  if (!originAllowed(app.allowedOrigins, request.headers.get("Origin"))) {
    return refuse(CLOSE_CODES.unauthorized, "Origin not allowed for this app");
  }
  const protocol = url.searchParams.get("protocol");
  if (protocol === null || protocol === "") return refuse(CLOSE_CODES.noProtocol, "No protocol version given");
  if (!/^\d+$/.test(protocol)) return refuse(CLOSE_CODES.invalidVersion, "Invalid protocol version format");
  if (Number(protocol) !== PROTOCOL_VERSION) {
    return refuse(
      CLOSE_CODES.unsupportedProtocol,
      `Unsupported protocol version ${protocol}: only ${PROTOCOL_VERSION} is supported`,
    );
  }
  const headers = new Headers(request.headers);
  headers.set(APP_ID_HEADER, app.id);
  headers.set(APP_KEY_HEADER, path.key);
  const shard = shardForSocket(app, request.cf);
  // An unsharded app's one Beacon is named by the app id and needs no other name.
  if (shard.name !== app.id) headers.set(SHARD_HEADER, shard.name);
  return objectOf(beacons, app.placement, shard).fetch(new Request(request, { headers }));
}
