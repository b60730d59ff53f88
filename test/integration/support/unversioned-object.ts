/**
 * A Beacon's storage as the last release before schema versions left it:
 * its tables as that release created them (the text SQLite keeps in
 * sqlite_master) and its rows as it wrote them. Frozen on purpose: it stands
 * for objects already deployed, so it must not follow later changes to src/.
 */
const UNVERSIONED_TABLES = [
  "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
  `CREATE TABLE subscriptions (
     socket_id TEXT NOT NULL,
     channel TEXT NOT NULL,
     user_id TEXT,
     user_info TEXT,
     PRIMARY KEY (socket_id, channel)
   ) WITHOUT ROWID`,
  `CREATE TABLE due_work (
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  due_at INTEGER NOT NULL,
  PRIMARY KEY (kind, key)
) WITHOUT ROWID`,
  "CREATE INDEX due_work_by_time ON due_work (due_at)",
  `CREATE TABLE webhook_leaves (
     id INTEGER PRIMARY KEY,
     kind TEXT NOT NULL,
     channel TEXT NOT NULL,
     user_id TEXT NOT NULL,
     due_at INTEGER NOT NULL,
     UNIQUE (kind, channel, user_id)
   )`,
  "CREATE INDEX webhook_leaves_due ON webhook_leaves (due_at)",
  `CREATE TABLE webhook_outbox (
     id INTEGER PRIMARY KEY,
     endpoint TEXT NOT NULL,
     event TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     due_at INTEGER NOT NULL
   )`,
  "CREATE INDEX webhook_outbox_endpoint ON webhook_outbox (endpoint, id)",
  `CREATE TABLE webhook_endpoints (
     endpoint TEXT PRIMARY KEY,
     attempts INTEGER NOT NULL,
     retry_at INTEGER NOT NULL
   ) WITHOUT ROWID`,
  `CREATE TABLE user_sessions (
  socket_id TEXT PRIMARY KEY,
  user_data TEXT NOT NULL
) WITHOUT ROWID`,
  `CREATE TABLE channel_cache (
  channel TEXT PRIMARY KEY,
  event TEXT NOT NULL,
  data TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID`,
  "CREATE INDEX channel_cache_by_expiry ON channel_cache (expires_at)",
];

/** Each row as `INSERT INTO table (columns) VALUES (...)` takes it: column names and values in order. */
export type Rows = Record<string, ReadonlyArray<Record<string, string | number | null>>>;

/** Every table and index the object holds, as (type, name, sql), in a fixed order. */
export function schemaOf(sql: SqlStorage): Array<{ type: string; name: string; sql: string | null }> {
  return sql
    .exec<{ type: string; name: string; sql: string | null }>(
      "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE '\\_cf\\_%' ESCAPE '\\' ORDER BY type, name",
    )
    .toArray();
}

/** Every row of `table`, ordered by all its columns so two reads compare equal. */
export function rowsOf(sql: SqlStorage, table: string): Array<Record<string, SqlStorageValue>> {
  const columns = sql
    .exec<{ name: string }>(`PRAGMA table_info(${table})`)
    .toArray()
    .map((column) => column.name);
  return sql.exec(`SELECT * FROM ${table} ORDER BY ${columns.join(", ")}`).toArray();
}

/** Drops every table the object holds, leaving storage as empty as a new object's. */
export function dropEverything(sql: SqlStorage): void {
  for (const { type, name } of schemaOf(sql)) {
    if (type === "table") sql.exec(`DROP TABLE IF EXISTS "${name}"`);
  }
}

/** Replaces the object's storage with the unversioned release's tables holding `rows`. */
export function writeUnversionedObject(sql: SqlStorage, rows: Rows): void {
  dropEverything(sql);
  for (const statement of UNVERSIONED_TABLES) sql.exec(statement);
  for (const [table, tableRows] of Object.entries(rows)) {
    for (const row of tableRows) {
      const columns = Object.keys(row);
      sql.exec(
        `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
        ...Object.values(row),
      );
    }
  }
}
