import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface ServerInfo {
  host: string;
  port: number;
  appId: string;
  key: string;
  secret: string;
}

const E2E_APP = { appId: "sower", key: "sower-key", secret: "e2e-secret-0123456789abcdef" } as const;

/** Asks the OS for a port nobody is using. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** A running `wrangler dev`: where it listens, and how to stop it and remove its state. */
export interface WranglerDev {
  port: number;
  stop: () => Promise<void>;
  child: ChildProcess;
}

/**
 * The shards every app of a test server runs at: the sharded e2e project
 * sets SOWER_TEST_SHARDS (vitest.config.ts); 1 otherwise.
 */
export function testShards(env: Record<string, string | undefined> = process.env): number {
  return Number(env.SOWER_TEST_SHARDS ?? "1");
}

/**
 * An APPS list at the test shards: each app that can be sharded gets them
 * (per-second REST limits need one object, so an app with one keeps it).
 */
export function atTestShards<T extends Record<string, unknown>>(apps: readonly T[]): T[] {
  const shards = testShards();
  if (shards === 1) return [...apps];
  return apps.map((app) =>
    app.max_backend_events_per_sec === undefined && app.max_read_requests_per_sec === undefined
      ? { ...app, shards }
      : app,
  );
}

/**
 * Starts `wrangler dev` with `args` (e.g. `--config` and `--var`s) on the
 * embedded runtime, on `port` or a free one, with its own state folder, and
 * waits until `readyPath` answers 2xx. `prepare` runs first, given the state
 * folder (to migrate a local database there).
 */
export async function startWrangler(
  args: string[],
  readyPath: string,
  port?: number,
  prepare?: (state: string) => void,
): Promise<WranglerDev> {
  // A free port is free only when asked: another server starting beside this one may take it
  // first. Then this one starts again on another, unless the caller chose the port.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startWranglerOnce(args, readyPath, port, prepare);
    } catch (error) {
      const taken = error instanceof Error && error.message.includes("Address already in use");
      if (!taken || port !== undefined || attempt === 3) throw error;
    }
  }
}

async function startWranglerOnce(
  args: string[],
  readyPath: string,
  port?: number,
  prepare?: (state: string) => void,
): Promise<WranglerDev> {
  const listen = port ?? (await freePort());
  const inspector = await freePort();
  const state = mkdtempSync(join(tmpdir(), "sower-e2e-"));
  prepare?.(state);
  const child = spawn(
    "wrangler",
    [
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(listen),
      "--inspector-port",
      String(inspector),
      "--persist-to",
      state,
      "--show-interactive-dev-session=false",
      ...args,
    ],
    { env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
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
    if (child.exitCode !== null) {
      rmSync(state, { recursive: true, force: true });
      throw new Error(`wrangler dev exited early:\n${output}`);
    }
    try {
      const response = await fetch(`http://127.0.0.1:${listen}${readyPath}`);
      if (response.ok) return { port: listen, stop, child };
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error(`wrangler dev did not become ready within 60 s:\n${output}`);
}

/**
 * Starts Sower with `wrangler dev` with fresh state and known credentials
 * (overriding any .dev.vars), and waits until /health answers.
 * The single app's SHARDS is `shards`; an APPS given in `extraArgs` sets its own.
 */
export async function startServer(
  extraArgs: string[] = [],
  app: Pick<ServerInfo, "appId" | "key" | "secret"> = E2E_APP,
  shards: number = testShards(),
): Promise<{ info: ServerInfo; stop: () => Promise<void>; child: ChildProcess }> {
  const credentials = [
    "--var",
    `APP_ID:${app.appId}`,
    "--var",
    `APP_KEY:${app.key}`,
    "--var",
    `APP_SECRET:${app.secret}`,
    "--var",
    `SHARDS:${shards}`,
  ];
  const { port, stop, child } = await startWrangler(
    [...credentials, ...extraArgs],
    "/health",
    undefined,
    migrateAuditDb,
  );
  return { info: { host: "127.0.0.1", port, appId: app.appId, key: app.key, secret: app.secret }, stop, child };
}

/** Creates and migrates the audit log's local database (docs/audit.md) where `wrangler dev` keeps its state. */
export function migrateAuditDb(state: string): void {
  execFileSync("wrangler", ["d1", "migrations", "apply", "AUDIT_DB", "--local", "--persist-to", state], {
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" },
    stdio: "pipe",
  });
}
