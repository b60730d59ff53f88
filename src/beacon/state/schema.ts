import { log } from "../../log";

/**
 * The object's SQLite schema is brought up to date here, once per wake and
 * before anything reads it; the migrations themselves are listed in
 * migrations.ts. Cloudflare's SQLite refuses `PRAGMA user_version`
 * (SQLITE_AUTH), so the version is a row of the meta table.
 */

/** One step of the schema. Its version is its place in the list, from 1. */
export interface Migration {
  /** What it changes, for the log. */
  readonly name: string;
  /**
   * True when a release that predates this migration still runs correctly
   * on its result: it only adds tables, indexes, or columns that may be NULL
   * or have a default, and changes no meaning of what was there. Such a
   * migration does not stop a rollback (see docs/deploy.md).
   */
  readonly additive: boolean;
  /** Run in order, in one transaction with the version they reach. */
  readonly statements: readonly string[];
}

/** What an upgrade needs of the object's storage. */
export type SchemaStorage = Pick<DurableObjectStorage, "sql" | "transactionSync">;

export type SchemaStatus =
  | { readonly ok: true; readonly version: number }
  | {
      readonly ok: false;
      readonly version: number;
      /** Why the object refuses work; for the log and the errors it answers with. */
      readonly problem: string;
    };

/** The table that holds the version; it exists before any migration runs, so the version can be read. */
export const META_TABLE = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID";
/** The meta row naming the app this object serves. */
export const APP_ID_META = "app_id";
/** The meta row of a shard of a sharded app: its own name, by which hubs call it (contract/objects.ts). */
export const SHARD_META = "shard";
const VERSION_META = "schema_version";
/** The oldest version whose release may run on this object: the last migration that was not additive. */
const RUNNABLE_FROM_META = "schema_runnable_from";

/**
 * Applies every migration the object has not had yet, each in its own
 * transaction with its version, so a failure leaves the object at the last
 * version that succeeded and nothing of the one that failed. An object made
 * before versions were recorded has today's tables and no version: it is at
 * version 0 like a fresh one, and migration 1 (today's schema, `IF NOT
 * EXISTS`) records version 1 over its tables without touching a row.
 */
export function upgradeSchema(storage: SchemaStorage, migrations: readonly Migration[]): SchemaStatus {
  const { sql } = storage;
  const metaExisted = tableExists(sql, "meta");
  sql.exec(META_TABLE);
  // Read only to name the app in a log line: a wake with nothing to do reads no more than the version.
  const app = () => readMeta(sql, APP_ID_META);
  const latest = migrations.length;
  const recorded = readVersion(sql, VERSION_META);
  if (Number.isNaN(recorded)) return refuse(app, 0, "the recorded schema version is not a whole number");
  if (recorded !== undefined && recorded > latest) return newerSchema(sql, app, recorded, latest);

  const from = recorded ?? 0;
  let version = from;
  for (const [index, migration] of migrations.entries()) {
    const target = index + 1;
    if (target <= version) continue;
    try {
      storage.transactionSync(() => {
        for (const statement of migration.statements) sql.exec(statement);
        writeMeta(sql, VERSION_META, String(target));
        if (!migration.additive) writeMeta(sql, RUNNABLE_FROM_META, String(target));
      });
    } catch (error) {
      const why = `the upgrade to schema version ${target} (${migration.name}) failed`;
      return refuse(app, version, why, { version: target, error: String(error) });
    }
    version = target;
  }
  if (version > from) {
    // Tables without a version: an object made before versions were recorded, now at version 1 with its rows.
    const unversioned = metaExisted && recorded === undefined;
    log("info", "schema migrated", { app: app(), from, to: version, ...(unversioned ? { unversioned } : {}) });
  }
  return { ok: true, version };
}

/**
 * A newer release migrated this object and was rolled back. Running on it is
 * safe only when every migration past this release's latest was additive.
 */
function newerSchema(sql: SqlStorage, app: () => string | undefined, recorded: number, latest: number): SchemaStatus {
  const runnableFrom = readVersion(sql, RUNNABLE_FROM_META) ?? recorded;
  if (runnableFrom <= latest) {
    log("warn", "schema is newer than this release, and additive since", { app: app(), version: recorded, latest });
    return { ok: true, version: recorded };
  }
  return refuse(app, recorded, `schema version ${recorded} is newer than this release knows (${latest})`);
}

/** Logged once here, with the app and version; the object then answers every request with `problem`. */
function refuse(
  app: () => string | undefined,
  version: number,
  why: string,
  details: Record<string, unknown> = { version },
): SchemaStatus {
  log("error", "schema cannot be used; the object refuses work", { app: app(), ...details, reason: why });
  return { ok: false, version, problem: `This app's storage cannot be used: ${why}.` };
}

function tableExists(sql: SqlStorage, name: string): boolean {
  return sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", name).toArray().length > 0;
}

function readMeta(sql: SqlStorage, key: string): string | undefined {
  for (const row of sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key)) return row.value;
  return undefined;
}

/** Undefined when no version is recorded, NaN when what is recorded is not one. */
function readVersion(sql: SqlStorage, key: string): number | undefined {
  const value = readMeta(sql, key);
  if (value === undefined) return undefined;
  return /^\d+$/.test(value) ? Number(value) : Number.NaN;
}

function writeMeta(sql: SqlStorage, key: string, value: string): void {
  sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", key, value);
}
