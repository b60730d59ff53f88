/**
 * The Beacon's durable state in the object's SQLite. Anything that must
 * outlive hibernation or eviction is written here before it is acted on; the
 * in-memory indexes are rebuilt from it on wake.
 */
export interface SubscriptionRow {
  socketId: string;
  channel: string;
  /** Presence channels only. */
  userId: string | null;
  userInfo: string | null;
}

const SCHEMA = [
  "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
  `CREATE TABLE IF NOT EXISTS subscriptions (
     socket_id TEXT NOT NULL,
     channel TEXT NOT NULL,
     user_id TEXT,
     user_info TEXT,
     PRIMARY KEY (socket_id, channel)
   ) WITHOUT ROWID`,
];

export class Store {
  constructor(private readonly sql: SqlStorage) {
    for (const statement of SCHEMA) sql.exec(statement);
  }

  getMeta(key: string): string | undefined {
    for (const row of this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key)) {
      return row.value;
    }
    return undefined;
  }

  setMeta(key: string, value: string): void {
    this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", key, value);
  }

  allSubscriptions(): SubscriptionRow[] {
    return this.sql
      .exec<{ socket_id: string; channel: string; user_id: string | null; user_info: string | null }>(
        "SELECT socket_id, channel, user_id, user_info FROM subscriptions",
      )
      .toArray()
      .map((row) => ({ socketId: row.socket_id, channel: row.channel, userId: row.user_id, userInfo: row.user_info }));
  }

  addSubscription(row: SubscriptionRow): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO subscriptions (socket_id, channel, user_id, user_info) VALUES (?, ?, ?, ?)",
      row.socketId,
      row.channel,
      row.userId,
      row.userInfo,
    );
  }

  removeSubscription(socketId: string, channel: string): void {
    this.sql.exec("DELETE FROM subscriptions WHERE socket_id = ? AND channel = ?", socketId, channel);
  }

  removeSocket(socketId: string): void {
    this.sql.exec("DELETE FROM subscriptions WHERE socket_id = ?", socketId);
  }
}
