import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const MIGRATIONS = "migrations/audit";

/**
 * Applies the audit log's D1 migrations to the bench's database, as `wrangler
 * d1 migrations apply` does for `wrangler dev`: the files in name order, each
 * statement in turn (they hold no `;` but between statements).
 */
export async function migrateAuditDb(db: D1Database): Promise<void> {
  for (const file of readdirSync(MIGRATIONS)
    .filter((name) => name.endsWith(".sql"))
    .sort()) {
    const text = readFileSync(join(MIGRATIONS, file), "utf8")
      .split("\n")
      .filter((line) => !line.trim().startsWith("--"))
      .join("\n");
    for (const statement of text.split(";").map((part) => part.trim())) {
      if (statement !== "") await db.prepare(statement).run();
    }
  }
}
