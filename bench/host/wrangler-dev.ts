import { startServer } from "../../test/e2e/support/server.ts";
import { BENCH_APP } from "../load/app.ts";
import { NO_CALLS, NO_SQL, type Target } from "./miniflare.ts";
import { descendants } from "./proc.ts";

/**
 * Sower as `npm start` runs it: `wrangler dev`, whose Node proxy sits between
 * every socket and workerd. Measured only to report what local development
 * gives; the comparison with the baseline uses the direct hosting.
 */
export async function hostWranglerDev(): Promise<Target> {
  const server = await startServer([], { appId: BENCH_APP.id, key: BENCH_APP.key, secret: BENCH_APP.secret });
  const root = server.child.pid ?? 0;
  return {
    name: "sower",
    origin: `http://127.0.0.1:${server.info.port}`,
    pids: [root, ...descendants(root)],
    sqlCounts: async () => NO_SQL,
    callCounts: async () => NO_CALLS,
    close: server.stop,
  };
}
