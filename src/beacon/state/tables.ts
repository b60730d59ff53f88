/**
 * Tables that more than one kind of object keeps: the Beacon and the hubs
 * of sharded apps (docs/scaling.md) both have timed work, a webhook outbox
 * and a channel cache. Each statement is exactly as the Beacon's first
 * migration shipped it; `IF NOT EXISTS` is what that migration needed.
 */

export const DUE_WORK_TABLES: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS due_work (
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  due_at INTEGER NOT NULL,
  PRIMARY KEY (kind, key)
) WITHOUT ROWID`,
  "CREATE INDEX IF NOT EXISTS due_work_by_time ON due_work (due_at)",
];

export const WEBHOOK_TABLES: readonly string[] = [
  // The rowid keeps leaves in the order they happened: member_removed before channel_vacated.
  `CREATE TABLE IF NOT EXISTS webhook_leaves (
     id INTEGER PRIMARY KEY,
     kind TEXT NOT NULL,
     channel TEXT NOT NULL,
     user_id TEXT NOT NULL,
     due_at INTEGER NOT NULL,
     UNIQUE (kind, channel, user_id)
   )`,
  "CREATE INDEX IF NOT EXISTS webhook_leaves_due ON webhook_leaves (due_at)",
  `CREATE TABLE IF NOT EXISTS webhook_outbox (
     id INTEGER PRIMARY KEY,
     endpoint TEXT NOT NULL,
     event TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     due_at INTEGER NOT NULL
   )`,
  "CREATE INDEX IF NOT EXISTS webhook_outbox_endpoint ON webhook_outbox (endpoint, id)",
  `CREATE TABLE IF NOT EXISTS webhook_endpoints (
     endpoint TEXT PRIMARY KEY,
     attempts INTEGER NOT NULL,
     retry_at INTEGER NOT NULL
   ) WITHOUT ROWID`,
];

export const USER_SESSIONS_TABLES: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS user_sessions (
  socket_id TEXT PRIMARY KEY,
  user_data TEXT NOT NULL
) WITHOUT ROWID`,
];

export const CHANNEL_CACHE_TABLES: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS channel_cache (
  channel TEXT PRIMARY KEY,
  event TEXT NOT NULL,
  data TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID`,
  "CREATE INDEX IF NOT EXISTS channel_cache_by_expiry ON channel_cache (expires_at)",
];

/**
 * The audit outbox (src/beacon/state/audit-outbox.ts): entries waiting for
 * D1, and the stream's own row (the head of its chain in D1, entries
 * dropped at the outbox's bound).
 */
export const AUDIT_OUTBOX_TABLES: readonly string[] = [
  `CREATE TABLE audit_outbox (
  seq INTEGER PRIMARY KEY,
  time INTEGER NOT NULL,
  endpoint TEXT NOT NULL,
  status INTEGER NOT NULL,
  key TEXT NOT NULL,
  ip TEXT NOT NULL,
  user_agent TEXT NOT NULL,
  details TEXT NOT NULL
)`,
  `CREATE TABLE audit_stream (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  head_seq INTEGER NOT NULL,
  head_hash TEXT NOT NULL,
  dropped INTEGER NOT NULL,
  dropped_since INTEGER
)`,
];

/** Channel history (docs/history.md): the Beacon's second migration, and a hub's for its one channel. */
export const HISTORY_TABLES: readonly string[] = [
  `CREATE TABLE history_channels (
  channel TEXT PRIMARY KEY,
  epoch TEXT NOT NULL,
  last_serial INTEGER NOT NULL,
  prune_at INTEGER
) WITHOUT ROWID`,
  "CREATE INDEX history_channels_by_prune ON history_channels (prune_at)",
  `CREATE TABLE history_events (
  channel TEXT NOT NULL,
  serial INTEGER NOT NULL,
  published_at INTEGER NOT NULL,
  name TEXT NOT NULL,
  data TEXT NOT NULL,
  data_is_json INTEGER NOT NULL,
  user_id TEXT,
  PRIMARY KEY (channel, serial)
) WITHOUT ROWID`,
];
