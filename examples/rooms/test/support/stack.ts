import { join } from "node:path";
import { freePort, startServer, startWrangler } from "../../../../test/e2e/support/server";
import { sowerWebhooks } from "../../sower-webhooks";

export const ADMIN_PASSWORD = "rooms-admin-password-for-tests";

/** Sower and the rooms backend, each a `wrangler dev` with fresh state, wired to each other. */
export interface RoomsStack {
  /** The backend: it serves the page, its API, pusher-js's auth endpoint and Sower's webhooks. */
  origin: string;
  sower: { host: string; port: number; key: string; secret: string };
  stop: () => Promise<void>;
}

export async function startRooms(): Promise<RoomsStack> {
  // Sower must know the backend's address for its webhooks before either starts.
  const backendPort = await freePort();
  const origin = `http://127.0.0.1:${backendPort}`;
  const sower = await startServer(["--var", `WEBHOOKS:${JSON.stringify(sowerWebhooks(origin))}`]);
  const { info } = sower;
  try {
    const settings = {
      PUSHER_APP_ID: info.appId,
      PUSHER_KEY: info.key,
      PUSHER_SECRET: info.secret,
      PUSHER_HOST: info.host,
      PUSHER_PORT: String(info.port),
      PUSHER_USE_TLS: "false",
      ADMIN_PASSWORD,
    };
    const vars = Object.entries(settings).flatMap(([name, value]) => ["--var", `${name}:${value}`]);
    const config = join(import.meta.dirname, "../../wrangler.jsonc");
    const backend = await startWrangler(["--config", config, ...vars], "/health", backendPort);
    return {
      origin,
      sower: info,
      stop: async () => {
        await backend.stop();
        await sower.stop();
      },
    };
  } catch (error) {
    await sower.stop();
    throw error;
  }
}
