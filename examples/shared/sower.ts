import Pusher from "pusher";

/** Where a Sower (or any Pusher Channels server) is, and the app's credentials. */
export interface SowerConnection {
  host: string;
  port: number;
  useTLS: boolean;
  appId: string;
  key: string;
  secret: string;
}

const SETTINGS = ["SOWER_HOST", "SOWER_PORT", "SOWER_APP_ID", "SOWER_KEY", "SOWER_SECRET"] as const;

/**
 * The Sower named by SOWER_HOST, SOWER_PORT, SOWER_APP_ID, SOWER_KEY and
 * SOWER_SECRET (SOWER_TLS=true for https/wss), or undefined when none of them
 * is set. Half a setting is an error that names what is missing, never a value.
 */
export function sowerFromEnv(env: NodeJS.ProcessEnv = process.env): SowerConnection | undefined {
  const missing = SETTINGS.filter((name) => !env[name]);
  if (missing.length === SETTINGS.length) return undefined;
  if (missing.length > 0) throw new Error(`Set all of ${SETTINGS.join(", ")}; missing: ${missing.join(", ")}`);
  const port = Number(env.SOWER_PORT);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error("SOWER_PORT must be a port number");
  return {
    host: env.SOWER_HOST ?? "",
    port,
    useTLS: env.SOWER_TLS === "true",
    appId: env.SOWER_APP_ID ?? "",
    key: env.SOWER_KEY ?? "",
    secret: env.SOWER_SECRET ?? "",
  };
}

/**
 * The Sower from the environment, or a fresh local one (`wrangler dev` on a
 * free port, with its own state) started for this run and stopped by `stop`.
 */
export async function sowerForRun(): Promise<{ sower: SowerConnection; stop: () => Promise<void> }> {
  const fromEnv = sowerFromEnv();
  if (fromEnv !== undefined) return { sower: fromEnv, stop: async () => {} };
  console.log("Starting a local Sower (wrangler dev)...");
  // Imported only here: a copy of an example pointed at its own Sower never needs it.
  const { startServer } = await import("../../test/e2e/support/server.ts");
  const local = await startServer();
  return { sower: { ...local.info, useTLS: false }, stop: local.stop };
}

/** The backend SDK pointed at the Sower: only the host changes. */
export function backendSdk(sower: SowerConnection): Pusher {
  return new Pusher({
    appId: sower.appId,
    key: sower.key,
    secret: sower.secret,
    host: sower.host,
    port: String(sower.port),
    useTLS: sower.useTLS,
  });
}

/** The pusher-js options that point a client at the Sower. */
export function clientOptions(sower: SowerConnection) {
  return {
    cluster: "",
    wsHost: sower.host,
    wsPort: sower.port,
    wssPort: sower.port,
    forceTLS: sower.useTLS,
    enabledTransports: ["ws" as const, "wss" as const],
    disableStats: true,
  };
}
