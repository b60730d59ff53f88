import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { migrateAuditDb } from "../../bench/host/audit-db.ts";
import { bundle, COMPATIBILITY_DATE, SOWER_COMPATIBILITY_FLAGS } from "../../bench/host/build.ts";
import { descendants } from "../../bench/host/proc.ts";
import { freePort, type ServerInfo } from "../../test/e2e/support/server.ts";
import { INSTANCE_PATH } from "./instance-path.ts";

/** A Sower that can be restarted the way a deploy restarts it. */
export interface RestartableServer {
  readonly info: ServerInfo;
  /** Stops the runtime (every socket drops) and starts it again with the same state and port. */
  restart(): Promise<void>;
}

/** What the campaign reads from the runtime besides the wire. */
export interface SoakRuntime extends RestartableServer {
  /** When the app's Beacon instance in memory was constructed; asking wakes it if it was evicted. */
  instanceStartedAt(): Promise<number>;
  /** Lines Sower logged at level "error", and errors workerd reported, except the refusals below. */
  readonly errorLines: string[];
  /** workerd's reports of frames it refused itself (over its 32 MiB cap), before Sower's code ran. */
  readonly runtimeRefusals: string[];
  /** Times workerd died without being asked to (Miniflare restarts it). */
  readonly crashes: number;
  /** Restarts the campaign asked for. */
  readonly restarts: number;
  /** The workerd processes now running. */
  pids(): number[];
  close(): Promise<void>;
}

/**
 * Hosts Sower in its own workerd through the Miniflare API, straight on a
 * loopback port (no Node proxy in front: `wrangler dev`'s proxy runs out of
 * file descriptors at about 3,300 sockets), with its Durable Object state in
 * a directory that survives restarts, as a deploy keeps an object's SQLite.
 */
export async function hostRuntime(webhooks: unknown[], shards = 1): Promise<SoakRuntime> {
  const port = await freePort();
  const state = mkdtempSync(join(tmpdir(), "sower-soak-"));
  const info: ServerInfo = {
    host: "127.0.0.1",
    port,
    appId: "soak-app",
    key: "soak-key",
    // Fresh for every run: it signs the campaign's own requests on loopback and nothing else.
    secret: randomBytes(24).toString("hex"),
  };
  const script = await bundle("soak/host/soak-entry.ts");
  const errorLines: string[] = [];
  const runtimeRefusals: string[] = [];
  const counts = { crashes: 0, restarts: 0 };
  const options = convertV4MiniflareOptions({
    modules: true,
    script,
    scriptPath: "sower-soak.mjs",
    compatibilityDate: COMPATIBILITY_DATE,
    compatibilityFlags: SOWER_COMPATIBILITY_FLAGS,
    // As wrangler.jsonc binds them, with the Beacon that can tell its start time.
    durableObjects: {
      BEACON: { className: "SoakBeacon", useSQLite: true },
      STATS_REGISTRY: { className: "StatsRegistry", useSQLite: true },
      HUB: { className: "Hub", useSQLite: true },
    },
    // The audit log's database (docs/audit.md), migrated once below; a restart keeps it with the rest of the state.
    d1Databases: ["AUDIT_DB"],
    bindings: {
      APP_ID: info.appId,
      APP_KEY: info.key,
      APP_SECRET: info.secret,
      ENABLE_CLIENT_MESSAGES: "true",
      WEBHOOKS: JSON.stringify(webhooks),
      // Above 1, the app's sockets are spread over several Beacons joined by channel hubs (docs/scaling.md).
      SHARDS: String(shards),
      // Set, so that every Beacon publishes its figures for GET /metrics as an operator's would.
      METRICS_TOKEN: randomBytes(24).toString("hex"),
    },
    unsafeDirectSockets: [{ host: info.host, port }],
    resourcePersistencePath: state,
    handleStructuredLogs: ({ level, message }) => {
      if (!isErrorLine(level, message)) return;
      (RUNTIME_REFUSAL.test(message) ? runtimeRefusals : errorLines).push(message.slice(0, 500));
    },
    unsafeHandleRuntimeRestart: () => {
      counts.crashes++;
    },
  });
  const before = new Set(descendants(process.pid));
  let mf = new Miniflare(options);
  await mf.ready;
  await migrateAuditDb(await mf.getD1Database("AUDIT_DB"));
  const origin = `http://${info.host}:${port}`;
  return {
    info,
    errorLines,
    runtimeRefusals,
    get crashes() {
      return counts.crashes;
    },
    get restarts() {
      return counts.restarts;
    },
    async restart() {
      counts.restarts++;
      await mf.dispose();
      mf = new Miniflare(options);
      await mf.ready;
    },
    async instanceStartedAt() {
      const response = await fetch(`${origin}${INSTANCE_PATH}`);
      return Number(await response.text());
    },
    pids: () => descendants(process.pid).filter((pid) => !before.has(pid)),
    async close() {
      await mf.dispose();
      rmSync(state, { recursive: true, force: true });
    },
  };
}

/** How workerd reports closing a socket (1009) whose frame was over its cap. */
const RUNTIME_REFUSAL = /WebSocket protocol error; protocolError\.statusCode = 1009/;

/**
 * Sower logs one JSON object per line; an "error" line is a fault of Sower's.
 * workerd's own complaints (an uncaught exception, a broken pipe) are not
 * JSON and count too, except its routine notices at info level and below.
 */
function isErrorLine(level: string, message: string): boolean {
  try {
    const parsed: unknown = JSON.parse(message);
    if (typeof parsed === "object" && parsed !== null && "level" in parsed) return parsed.level === "error";
  } catch {
    // Not one of Sower's lines.
  }
  return level === "error";
}
