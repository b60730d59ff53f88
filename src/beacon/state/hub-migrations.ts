import { META_TABLE, type Migration } from "./schema";
import { AUDIT_OUTBOX_TABLES, CHANNEL_CACHE_TABLES, DUE_WORK_TABLES, HISTORY_TABLES, WEBHOOK_TABLES } from "./tables";

/**
 * Every schema change of a hub's SQLite (one hub per channel of a sharded
 * app, docs/scaling.md), oldest first, applied by the same runner as the
 * Beacon's (schema.ts) and under the same rules (README.md, "Adding a
 * migration").
 */
export const HUB_MIGRATIONS: readonly Migration[] = [
  {
    name: "the first hub schema: meta, shards, sockets, channel cache, due work, webhook outbox",
    additive: false,
    statements: [
      META_TABLE,
      // Each shard with subscribers of the channel, and how many it last reported.
      "CREATE TABLE hub_shards (shard TEXT PRIMARY KEY, subscribers INTEGER NOT NULL) WITHOUT ROWID",
      // The sockets the hub answers for: presence members, a user's signed-in sockets, and its watchers.
      `CREATE TABLE hub_sockets (
  socket_id TEXT NOT NULL,
  role TEXT NOT NULL,
  shard TEXT NOT NULL,
  user_id TEXT,
  user_info TEXT,
  PRIMARY KEY (socket_id, role)
) WITHOUT ROWID`,
      "CREATE INDEX hub_sockets_by_shard ON hub_sockets (shard, role)",
      ...DUE_WORK_TABLES,
      ...WEBHOOK_TABLES,
      ...CHANNEL_CACHE_TABLES,
    ],
  },
  {
    // A hub records the calls it is the first to handle (docs/audit.md), as a Beacon does.
    name: "the audit outbox: entries waiting for D1, and the stream's head and dropped count",
    additive: true,
    statements: [...AUDIT_OUTBOX_TABLES],
  },
  {
    // A sharded app's history channel is numbered and stored by its hub, the one object every
    // publish to it already asks (docs/history.md); the tables are the Beacon's.
    name: "channel history: the channel's epoch, serial and next prune, and its stored events",
    additive: true,
    statements: HISTORY_TABLES,
  },
];
