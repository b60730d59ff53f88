import { applyD1Migrations, type D1Migration, env } from "cloudflare:test";

/*
 * Every tier that runs inside workerd starts each test file on an empty
 * AUDIT_DB: this setup file migrates it exactly as `wrangler d1 migrations
 * apply` does, from the migrations vitest.config.ts read from migrations/audit.
 */

function isMigrationList(value: unknown): value is D1Migration[] {
  return (
    Array.isArray(value) &&
    value.every(
      (migration: unknown) =>
        typeof migration === "object" &&
        migration !== null &&
        "name" in migration &&
        typeof migration.name === "string" &&
        "queries" in migration &&
        Array.isArray(migration.queries),
    )
  );
}

const migrations: unknown = Reflect.get(env, "AUDIT_MIGRATIONS");
if (!isMigrationList(migrations)) throw new Error("vitest.config.ts binds AUDIT_MIGRATIONS for the workerd tiers");
await applyD1Migrations(env.AUDIT_DB, migrations);
