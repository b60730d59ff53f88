import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { BENCH_APP, BENCH_HISTORY } from "../load/app.ts";
import type { SqlCounts } from "../targets/sower-entry.ts";
import { bundle, COMPATIBILITY_DATE, SOWER_COMPATIBILITY_FLAGS } from "./build.ts";
import { descendants } from "./proc.ts";

export type TargetName = "sower" | "baseline";

/** A server under test: where to reach it and which processes to measure. */
export interface Target {
  readonly name: TargetName;
  /** http://127.0.0.1:port, straight to workerd. */
  readonly origin: string;
  readonly pids: readonly number[];
  /** workerd's inspector, when hosted for profiling. */
  readonly inspectorUrl?: URL;
  /** SQLite rows read and written so far (all zero for the baseline, which keeps no SQL state). */
  sqlCounts(): Promise<SqlCounts>;
  close(): Promise<void>;
}

interface TargetSpec {
  entry: string;
  binding: string;
  className: string;
  objectName: string;
}

const SPECS: Record<TargetName, TargetSpec> = {
  sower: {
    entry: "bench/targets/sower-entry.ts",
    binding: "BEACON",
    className: "BenchBeacon",
    objectName: BENCH_APP.id,
  },
  baseline: { entry: "bench/baseline/worker.ts", binding: "ROOM", className: "BaselineRoom", objectName: "bench" },
};

interface CountingNamespace {
  idFromName(name: string): unknown;
  get(id: unknown): { sqlCounts(): Promise<SqlCounts> };
}

/** The counts of a target whose SQLite the bench cannot read. */
export const NO_SQL: SqlCounts = { rowsRead: 0, rowsWritten: 0, statements: 0, databaseBytes: 0 };

/**
 * Hosts one target in its own workerd through the Miniflare API, with
 * `unsafeDirectSockets` so sockets and requests reach workerd directly rather
 * than through Miniflare's Node proxy (which `wrangler dev` puts in front and
 * which roughly doubles the CPU per message). Both targets get exactly this.
 */
export async function hostTarget(name: TargetName, inspect = false): Promise<Target> {
  const spec = SPECS[name];
  const before = new Set(descendants(process.pid));
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: true,
      script: await bundle(spec.entry),
      scriptPath: `${name}.mjs`,
      compatibilityDate: COMPATIBILITY_DATE,
      compatibilityFlags: name === "sower" ? SOWER_COMPATIBILITY_FLAGS : [],
      durableObjects: { [spec.binding]: { className: spec.className, useSQLite: true } },
      bindings: {
        APP_ID: BENCH_APP.id,
        APP_KEY: BENCH_APP.key,
        APP_SECRET: BENCH_APP.secret,
        ENABLE_CLIENT_MESSAGES: "true",
        // Only scenario 8's channels match it: every other scenario's channels keep nothing.
        HISTORY: JSON.stringify(BENCH_HISTORY),
      },
      unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
      ...(inspect ? { inspectorPort: 0 } : {}),
    }),
  );
  await mf.ready;
  const direct = await mf.unsafeGetDirectURL();
  const pids = descendants(process.pid).filter((pid) => !before.has(pid));
  if (pids.length === 0) throw new Error(`no workerd process found for ${name}`);
  return {
    name,
    origin: direct.origin,
    pids,
    ...(inspect ? { inspectorUrl: await mf.getInspectorURL() } : {}),
    async sqlCounts() {
      if (name !== "sower") return NO_SQL;
      // Miniflare's proxy types do not carry RPC methods; the shape is BenchBeacon's.
      const namespace = (await mf.getDurableObjectNamespace(spec.binding)) as unknown as CountingNamespace;
      return namespace.get(namespace.idFromName(spec.objectName)).sqlCounts();
    },
    close: () => mf.dispose(),
  };
}
