import Pusher from "pusher";
import type { ServerInfo } from "../../e2e/support/server";
import { parseDotenv, snippet, viteDefine } from "./snippets";

/** The port `npm start` serves on, which the guides use; tests swap in the test server's port. */
export const GUIDE_PORT = "8787";

/**
 * The Laravel guide's `.env`, as the app would load it, pointed at the test
 * server. Everything except the port and the secret is taken as written.
 */
function laravelEnv(server: ServerInfo): Record<string, string> {
  const env = parseDotenv(snippet("laravel-env"));
  if (env.PUSHER_PORT !== GUIDE_PORT)
    throw new Error(`the guide's PUSHER_PORT is ${env.PUSHER_PORT}, not ${GUIDE_PORT}`);
  const port = String(server.port);
  return { ...env, PUSHER_PORT: port, VITE_PUSHER_PORT: port, PUSHER_APP_SECRET: server.secret };
}

/** The guide's `resources/js/echo.js` after Vite has built it with that `.env`. */
export function echoModule(server: ServerInfo): string {
  return viteDefine(snippet("laravel-echo"), laravelEnv(server));
}

/**
 * Resolves the guide's `config/broadcasting.php` `pusher` connection against
 * its `.env` (PHP's `env('NAME', default)`), giving the options Laravel hands
 * to the Pusher PHP SDK.
 */
function broadcastingConfig(env: Record<string, string>): Record<string, string | boolean> {
  const php = snippet("laravel-broadcasting");
  const resolved: Record<string, string | boolean> = {};
  const envCall = /'(\w+)' => env\('(\w+)'(?:, (?:'([^']*)'|(\d+)))?\)( === '([^']*)')?,/g;
  for (const [, option = "", name = "", quoted, numeric, comparison, compared] of php.matchAll(envCall)) {
    const value = env[name] ?? quoted ?? numeric;
    if (value === undefined) throw new Error(`config/broadcasting.php reads ${name}, which the .env does not set`);
    resolved[option] = comparison === undefined ? value : value === compared;
  }
  return resolved;
}

/**
 * The `pusher` SDK configured from those options, standing in for the PHP SDK
 * (both speak the same signed REST API), so what Laravel's `broadcast()` sends
 * reaches the server exactly as configured.
 */
export function laravelBroadcaster(server: ServerInfo): Pusher {
  const config = broadcastingConfig(laravelEnv(server));
  const text = (option: string) => {
    const value = config[option];
    if (typeof value !== "string") throw new Error(`config/broadcasting.php does not set '${option}'`);
    return value;
  };
  const scheme = text("scheme");
  if (config.useTLS !== (scheme === "https")) throw new Error("useTLS does not follow PUSHER_SCHEME");
  return new Pusher({
    appId: text("app_id"),
    key: text("key"),
    secret: text("secret"),
    host: text("host"),
    port: text("port"),
    useTLS: scheme === "https",
  });
}
