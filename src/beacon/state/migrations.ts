import { META_TABLE, type Migration } from "./schema";
import {
  AUDIT_OUTBOX_TABLES,
  CHANNEL_CACHE_TABLES,
  DUE_WORK_TABLES,
  HISTORY_TABLES,
  USER_SESSIONS_TABLES,
  WEBHOOK_TABLES,
} from "./tables";

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
    statements: HISTORY_TABLES,
  },
  {
    // One row per minute in which the app did something, written when the minute has ended; the
    // counters are those of SERIES_COUNTERS in contract/series.ts. Rows older than a day and an hour are pruned.
    name: "statistics per minute for the dashboard's graphs",
    additive: true,
    statements: [
      `CREATE TABLE stats_minutes (
  minute INTEGER PRIMARY KEY,
  connections_max INTEGER NOT NULL,
  connections_last INTEGER NOT NULL,
  messages_in INTEGER NOT NULL,
  messages_out INTEGER NOT NULL,
  api_calls INTEGER NOT NULL,
  webhooks_delivered INTEGER NOT NULL,
  webhooks_retrying INTEGER NOT NULL,
  webhooks_failed INTEGER NOT NULL,
  rate_limited INTEGER NOT NULL
)`,
    ],
  },
  {
    // Each recorded call is one row here, written in the step that handles the call; the alarm moves it to D1.
    name: "the audit outbox: entries waiting for D1, and the stream's head and dropped count",
    additive: true,
    statements: [...AUDIT_OUTBOX_TABLES],
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
