import { META_TABLE, type Migration } from "./schema";
import { CHANNEL_CACHE_TABLES, DUE_WORK_TABLES, USER_SESSIONS_TABLES, WEBHOOK_TABLES } from "./tables";

/**
 * Every schema change of the Beacon's SQLite, oldest first; an object's
 * schema version is how many of these it has had. schema.ts applies them
 * when the object wakes. A migration that has shipped is never edited or
 * reordered: a change is a new migration at the end (see README.md, "Adding
 * a migration").
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    // The schema of every object made before versions were recorded. `IF NOT EXISTS` lets such an
    // object, whose tables are already these, be recorded at version 1 with its rows untouched.
    name: "the first schema: meta, subscriptions, user sessions, channel cache, due work, webhook outbox",
    additive: false,
    statements: [
      META_TABLE,
      `CREATE TABLE IF NOT EXISTS subscriptions (
     socket_id TEXT NOT NULL,
     channel TEXT NOT NULL,
     user_id TEXT,
     user_info TEXT,
     PRIMARY KEY (socket_id, channel)
   ) WITHOUT ROWID`,
      ...DUE_WORK_TABLES,
      ...WEBHOOK_TABLES,
      ...USER_SESSIONS_TABLES,
      ...CHANNEL_CACHE_TABLES,
    ],
  },
  {
    // The serial lives in the events themselves (their largest), so a publish writes one row; the
    // channel's row changes only when its first event is stored and when retention prunes it.
    name: "channel history: one row per channel (epoch, serial once pruned, next prune) and one per stored event",
    additive: true,
    statements: [
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
    ],
  },
  {
    // Bounded by state/webhook-attempts.ts, which prunes as it inserts; the rowid keeps the order.
    name: "recent webhook attempts, for the dashboard's webhooks view",
    additive: true,
    statements: [
      `CREATE TABLE webhook_attempts (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  endpoint TEXT NOT NULL,
  types TEXT NOT NULL,
  events INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  ok INTEGER NOT NULL,
  error TEXT NOT NULL,
  source TEXT NOT NULL
)`,
    ],
  },
];
