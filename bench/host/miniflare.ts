import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { BENCH_APP, BENCH_HISTORY } from "../load/app.ts";
import { BENCH_COUNTS_PATH, type BenchCounts, type CallCounts, type SqlCounts } from "../targets/counts.ts";
import { migrateAuditDb } from "./audit-db.ts";
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
  /** Calls that entered Sower's objects so far, as the objects counted them (none counted for the baseline). */
  callCounts(): Promise<CallCounts>;
  close(): Promise<void>;
}

interface TargetSpec {
  entry: string;
  objects: Record<string, { className: string; useSQLite: true }>;
}

const SPECS: Record<TargetName, TargetSpec> = {
  sower: {
    entry: "bench/targets/sower-entry.ts",
    objects: {
      BEACON: { className: "BenchBeacon", useSQLite: true },
      HUB: { className: "BenchHub", useSQLite: true },
    },
  },
  baseline: { entry: "bench/baseline/worker.ts", objects: { ROOM: { className: "BaselineRoom", useSQLite: true } } },
};

/** The counts of a target whose SQLite the bench cannot read. */
export const NO_SQL: SqlCounts = {
  rowsRead: 0,
  rowsWritten: 0,
  statements: 0,
  auditEntriesInD1: 0,
  d1RowsWritten: 0,
  d1Batches: 0,
  d1Bytes: 0,
};

/** The call counts of a target that counts none. */
export const NO_CALLS: CallCounts = { calls: {}, objects: {} };

/** How a target is hosted: with an inspector for `--profile`, and Sower's app at a shard count, its audit log on or off. */
export interface Hosting {
  inspect?: boolean;
  shards?: number;
  audit?: boolean;
}

/**
 * Hosts one target in its own workerd through the Miniflare API, with
 * `unsafeDirectSockets` so sockets and requests reach workerd directly rather
 * than through Miniflare's Node proxy (which `wrangler dev` puts in front and
 * which roughly doubles the CPU per message). Both targets get exactly this.
 */
export async function hostTarget(
  name: TargetName,
  { inspect = false, shards = 1, audit = true }: Hosting = {},
): Promise<Target> {
  const spec = SPECS[name];
  const before = new Set(descendants(process.pid));
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: true,
      script: await bundle(spec.entry),
      scriptPath: `${name}.mjs`,
      compatibilityDate: COMPATIBILITY_DATE,
      compatibilityFlags: name === "sower" ? SOWER_COMPATIBILITY_FLAGS : [],
      durableObjects: spec.objects,
      // The audit log's database (docs/audit.md), local to this workerd.
      ...(name === "sower" ? { d1Databases: ["AUDIT_DB"] } : {}),
      bindings: {
        ...(name === "sower" ? { SHARDS: String(shards), AUDIT: String(audit) } : {}),
        APP_ID: BENCH_APP.id,
        APP_KEY: BENCH_APP.key,
        APP_SECRET: BENCH_APP.secret,
        ENABLE_CLIENT_MESSAGES: "true",
        // Only scenario 9's channels match it: every other scenario's channels keep nothing.
        HISTORY: JSON.stringify(BENCH_HISTORY),
      },
      unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
      ...(inspect ? { inspectorPort: 0 } : {}),
    }),
  );
  await mf.ready;
  if (name === "sower") await migrateAuditDb(await mf.getD1Database("AUDIT_DB"));
  const direct = await mf.unsafeGetDirectURL();
  const pids = descendants(process.pid).filter((pid) => !before.has(pid));
  if (pids.length === 0) throw new Error(`no workerd process found for ${name}`);
  return {
    name,
    origin: direct.origin,
    pids,
    ...(inspect ? { inspectorUrl: await mf.getInspectorURL() } : {}),
    async sqlCounts() {
      return name === "sower" ? (await benchCounts(direct.origin)).sql : NO_SQL;
    },
    async callCounts() {
      return name === "sower" ? await benchCounts(direct.origin) : NO_CALLS;
    },
    close: () => mf.dispose(),
  };
}

async function benchCounts(origin: string): Promise<BenchCounts> {
  const response = await fetch(`${origin}${BENCH_COUNTS_PATH}`);
  if (!response.ok) throw new Error(`${BENCH_COUNTS_PATH} answered ${response.status}`);
  // The bench's own entry wrote this body (sower-entry.ts).
  return (await response.json()) as BenchCounts;
}
