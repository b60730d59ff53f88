import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type Pusher from "pusher";

const require = createRequire(import.meta.url);
const PUSHER_JS = readFileSync(require.resolve("pusher-js/dist/web/pusher.js"), "utf8");
// Echo's ES build (its "import" entry) sits next to the CommonJS one that require() finds.
const LARAVEL_ECHO = readFileSync(join(dirname(require.resolve("laravel-echo")), "echo.js"), "utf8");

/** Who a request comes from: the app's "session" is a plain `user` cookie set when the page is opened. */
function userOf(request: IncomingMessage): string | undefined {
  return /(?:^|;\s*)user=([^;]+)/.exec(request.headers.cookie ?? "")?.[1];
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => {
      body += chunk;
    });
    request.on("end", () => resolve(body));
    request.on("error", reject);
  });
}

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store" });
  response.end(body);
}

/** A page that has pusher-js loaded the way a site loads it, and Echo importable as the bundlers resolve it. */
function page(): string {
  const imports = { "laravel-echo": "/laravel-echo.js", "pusher-js": "/pusher-js.mjs" };
  return `<!doctype html>
<html><head><meta charset="utf-8"><meta name="csrf-token" content="test-csrf-token"><title>Sower browser test</title>
<script type="importmap">${JSON.stringify({ imports })}</script>
<script src="/pusher.js"></script>
</head><body></body></html>`;
}

export interface AppServerOptions {
  /** The app's own backend, as it would hold it: the `pusher` SDK with the server's credentials. */
  sdk: Pusher;
  /** What a user's presence entry says about them. */
  userInfo?: (userId: string) => Record<string, unknown>;
  /** Handlers that take over a path, e.g. a guide's own auth endpoint. */
  routes?: Record<string, (request: IncomingMessage, response: ServerResponse) => unknown>;
}

/**
 * The web app a browser page talks to: it serves the page and the client
 * libraries, and answers pusher-js's and Echo's auth requests with the
 * `pusher` SDK, as a Laravel or Express backend would. `/orders` stands for
 * any app endpoint that broadcasts with `socket_id` taken from `X-Socket-ID`
 * (Laravel's `broadcast(...)->toOthers()`).
 */
export class AppServer {
  private constructor(
    private readonly server: Server,
    readonly origin: string,
  ) {}

  static start(options: AppServerOptions): Promise<AppServer> {
    const server = createServer((request, response) => {
      handle(options, request, response).catch((error: unknown) => send(response, 500, "text/plain", String(error)));
    });
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const address = server.address();
        if (typeof address !== "object" || address === null) return reject(new Error("app server has no port"));
        resolve(new AppServer(server, `http://127.0.0.1:${address.port}`));
      });
    });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function handle(options: AppServerOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? "/", "http://app.test");
  const route = options.routes?.[url.pathname];
  if (route !== undefined) {
    await route(request, response);
    return;
  }
  if (request.method === "GET") {
    if (url.pathname === "/") {
      const user = url.searchParams.get("user");
      if (user !== null) response.setHeader("Set-Cookie", `user=${encodeURIComponent(user)}; Path=/; SameSite=Strict`);
      return send(response, 200, "text/html; charset=utf-8", page());
    }
    if (url.pathname === "/pusher.js") return send(response, 200, "text/javascript", PUSHER_JS);
    // pusher-js's browser build is a classic script; bundlers hand `import Pusher from "pusher-js"` the same object.
    if (url.pathname === "/pusher-js.mjs")
      return send(response, 200, "text/javascript", "export default window.Pusher;");
    if (url.pathname === "/laravel-echo.js") return send(response, 200, "text/javascript", LARAVEL_ECHO);
    if (url.pathname === "/favicon.ico") return send(response, 204, "text/plain", "");
  }
  if (request.method === "POST") {
    const user = userOf(request);
    const body = await readBody(request);
    if (url.pathname === "/pusher/auth" || url.pathname === "/broadcasting/auth") {
      return authorizeChannel(options, user, new URLSearchParams(body), response);
    }
    if (url.pathname === "/pusher/user-auth" || url.pathname === "/broadcasting/user-auth") {
      const socketId = new URLSearchParams(body).get("socket_id");
      if (user === undefined || socketId === null) return send(response, 403, "text/plain", "Forbidden");
      return send(
        response,
        200,
        "application/json",
        JSON.stringify(options.sdk.authenticateUser(socketId, { id: user })),
      );
    }
    if (url.pathname === "/orders") {
      const order: unknown = JSON.parse(body);
      const socketId = request.headers["x-socket-id"];
      const channel = url.searchParams.get("channel") ?? "orders";
      await options.sdk.trigger(channel, "App\\Events\\OrderShipped", order, {
        ...(typeof socketId === "string" ? { socket_id: socketId } : {}),
      });
      return send(response, 200, "application/json", "{}");
    }
  }
  send(response, 404, "text/plain", "Not found");
}

function authorizeChannel(
  options: AppServerOptions,
  user: string | undefined,
  form: URLSearchParams,
  response: ServerResponse,
): void {
  const socketId = form.get("socket_id");
  const channel = form.get("channel_name");
  // Like a real app: only signed-in users get private and presence channels.
  if (user === undefined || socketId === null || channel === null) {
    send(response, 403, "text/plain", "Forbidden");
    return;
  }
  const presence = channel.startsWith("presence-")
    ? { user_id: user, user_info: options.userInfo?.(user) ?? { name: user } }
    : undefined;
  send(response, 200, "application/json", JSON.stringify(options.sdk.authorizeChannel(socketId, channel, presence)));
}
