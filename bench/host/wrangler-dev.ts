import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../test/e2e/support/server.ts";
import { BENCH_APP } from "../load/app.ts";
import type { Target } from "./miniflare.ts";
import { descendants } from "./proc.ts";

/**
 * Sower as `npm start` runs it: `wrangler dev`, whose Node proxy sits between
 * every socket and workerd. Measured only to report what local development
 * gives; the comparison with the baseline uses the direct hosting.
 */
export async function hostWranglerDev(): Promise<Target> {
  const port = await freePort();
  const inspector = await freePort();
  const state = mkdtempSync(join(tmpdir(), "sower-bench-"));
  const child = spawn(
    "wrangler",
    [
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(inspector),
      "--persist-to",
      state,
      "--show-interactive-dev-session=false",
      "--var",
      `APP_ID:${BENCH_APP.id}`,
      "--var",
      `APP_KEY:${BENCH_APP.key}`,
      "--var",
      `APP_SECRET:${BENCH_APP.secret}`,
    ],
    { env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" }, stdio: "ignore" },
  );
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    rmSync(state, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) {
        const root = child.pid ?? 0;
        return {
          name: "sower",
          origin: `http://127.0.0.1:${port}`,
          pids: [root, ...descendants(root)],
          sqlCounts: async () => ({ rowsRead: 0, rowsWritten: 0, statements: 0, databaseBytes: 0 }),
          close: stop,
        };
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error("wrangler dev did not become ready within 60 s");
}
