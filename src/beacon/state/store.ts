/**
 * The Beacon's durable state in the object's SQLite. Anything that must
 * outlive hibernation or eviction is written here before the object could
 * sleep (subscription rows just behind their replies, see
 * subscription-rows.ts); the in-memory indexes are rebuilt from it on wake.
 */
export interface SubscriptionRow {
  socketId: string;
  channel: string;
  /** Presence channels only. */
  userId: string | null;
  userInfo: string | null;
}

export class Store {
  constructor(private readonly sql: SqlStorage) {}

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

  /**
   * Applies changes in the order given, one statement per run of changes of
   * one kind: a batch of a thousand subscribes is one INSERT.
   */
  applySubscriptionChanges(changes: readonly SubscriptionChange[]): void {
    for (const run of runsOfOneKind(changes)) {
      switch (run.kind) {
        case "add":
          this.sql.exec(
            `INSERT OR REPLACE INTO subscriptions (socket_id, channel, user_id, user_info)
             SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each(?)`,
            JSON.stringify(run.changes.map(({ row }) => [row.socketId, row.channel, row.userId, row.userInfo])),
          );
          break;
        case "remove":
          this.sql.exec(
            `DELETE FROM subscriptions
             WHERE (socket_id, channel) IN (SELECT value ->> 0, value ->> 1 FROM json_each(?))`,
            JSON.stringify(run.changes.map(({ socketId, channel }) => [socketId, channel])),
          );
          break;
        case "remove-socket":
          this.sql.exec(
            "DELETE FROM subscriptions WHERE socket_id IN (SELECT value FROM json_each(?))",
            JSON.stringify(run.changes.map(({ socketId }) => socketId)),
          );
          break;
        default:
          run satisfies never;
      }
    }
  }
}

export type SubscriptionChange =
  | { kind: "add"; row: SubscriptionRow }
  | { kind: "remove"; socketId: string; channel: string }
  | { kind: "remove-socket"; socketId: string };

type Run = {
  [Kind in SubscriptionChange["kind"]]: { kind: Kind; changes: Array<Extract<SubscriptionChange, { kind: Kind }>> };
}[SubscriptionChange["kind"]];

/** Consecutive changes of one kind, in order; order across kinds is kept by the runs' order. */
function runsOfOneKind(changes: readonly SubscriptionChange[]): Run[] {
  const runs: Array<{ kind: SubscriptionChange["kind"]; changes: SubscriptionChange[] }> = [];
  for (const change of changes) {
    const last = runs.at(-1);
    if (last?.kind === change.kind) last.changes.push(change);
    else runs.push({ kind: change.kind, changes: [change] });
  }
  return runs as Run[];
}
