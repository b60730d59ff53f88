import type {
  HistoryEntry,
  HistoryPage,
  HistoryPosition,
  HistoryQuery,
  Missed,
  StoredEvent,
} from "../../contract/history";
import type { Counter } from "../../contract/stats";

/** How much a channel keeps; the app's history policy satisfies it. */
export interface Retention {
  readonly maxEvents: number;
  readonly maxSeconds: number;
}

interface Known {
  epoch: string;
  serial: number;
  /** When the oldest stored event was published; undefined when none is stored. */
  oldestAt: number | undefined;
}

interface EventRow extends Record<string, SqlStorageValue> {
  serial: number;
  published_at: number;
  name: string;
  data: string;
  data_is_json: number;
  user_id: string | null;
}

const EVENT_COLUMNS = "serial, published_at, name, data, data_is_json, user_id";

/**
 * The stored history of the channels that keep it, in SQLite so it survives
 * eviction. Each channel has an epoch, made when its history starts, and a
 * serial that only grows: the largest serial stored, or `last_serial` once
 * retention has removed everything. A store writes one row; the channel's
 * row is written only when its first event arrives and when it is pruned.
 * Whoever owns a channel (the Beacon, or a channel hub) holds one of these.
 */
export class ChannelHistory {
  /** Channels read since the object woke: a publish then reads nothing. */
  private readonly known = new Map<string, Known>();

  constructor(
    private readonly sql: SqlStorage,
    /** Told the prune time of a channel whose first event was just stored, to arm the alarm. */
    private readonly pruneDue: (at: number) => void,
    private readonly meter: { count(counter: Counter, amount?: number): void },
  ) {}

  /** The channel's position, starting its history (a new epoch) if it has none. */
  position(channel: string): HistoryPosition {
    const { epoch, serial } = this.load(channel);
    return { epoch, serial };
  }

  /** Stores one delivered event and returns its serial; the count limit is kept in the same step. */
  append(channel: string, entry: HistoryEntry, retention: Retention, now: number): number {
    const known = this.load(channel);
    const serial = ++known.serial;
    const isString = typeof entry.data === "string";
    this.sql.exec(
      `INSERT INTO history_events (${EVENT_COLUMNS}, channel) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      serial,
      now,
      entry.name,
      typeof entry.data === "string" ? entry.data : JSON.stringify(entry.data),
      isString ? 0 : 1,
      entry.userId ?? null,
      channel,
    );
    this.meter.count("history_stored");
    if (serial > retention.maxEvents) this.dropUpTo(channel, serial - retention.maxEvents);
    if (known.oldestAt === undefined) {
      known.oldestAt = now;
      const pruneAt = now + retention.maxSeconds * 1000;
      this.sql.exec("UPDATE history_channels SET prune_at = ? WHERE channel = ?", pruneAt, channel);
      this.pruneDue(pruneAt);
    }
    return serial;
  }

  /** The events after `from` in its epoch, in order, when every one of them is still stored. */
  missedSince(channel: string, from: HistoryPosition): Missed {
    const position = this.position(channel);
    if (from.epoch !== position.epoch || from.serial > position.serial || from.serial < 0) {
      return { recovered: false, position };
    }
    if (from.serial === position.serial) return { recovered: true, position, events: [] };
    const rows = this.sql
      .exec<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM history_events WHERE channel = ? AND serial > ? ORDER BY serial`,
        channel,
        from.serial,
      )
      .toArray();
    // A gap at the start means retention removed events the subscriber never saw.
    if (rows[0]?.serial !== from.serial + 1) return { recovered: false, position };
    return { recovered: true, position, events: rows.map(storedEvent) };
  }

  /** One page of stored events, newest first (backwards) or oldest first (forwards). */
  page(channel: string, query: HistoryQuery): HistoryPage {
    const position = this.position(channel);
    const { cursor } = query;
    if (cursor !== undefined && cursor.epoch !== position.epoch) return { ok: false, position };
    const backwards = query.direction === "backwards";
    const conditions = ["channel = ?", "published_at >= ?", "published_at <= ?"];
    const values: SqlStorageValue[] = [channel, query.start ?? 0, query.end ?? Number.MAX_SAFE_INTEGER];
    if (cursor !== undefined) {
      conditions.push(backwards ? "serial < ?" : "serial > ?");
      values.push(cursor.serial);
    }
    const rows = this.sql
      .exec<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM history_events WHERE ${conditions.join(" AND ")}
         ORDER BY serial ${backwards ? "DESC" : "ASC"} LIMIT ?`,
        ...values,
        query.limit + 1,
      )
      .toArray();
    const more = rows.length > query.limit;
    return { ok: true, position, events: rows.slice(0, query.limit).map(storedEvent), more };
  }

  /** The earliest time a channel's oldest event expires. */
  nextPruneAt(): number | undefined {
    for (const row of this.sql.exec<{ next: number | null }>("SELECT MIN(prune_at) AS next FROM history_channels")) {
      return row.next ?? undefined;
    }
    return undefined;
  }

  /**
   * Removes what each due channel may no longer keep, under the retention
   * its name has now (none: everything, as when the app stops keeping it).
   */
  prune(now: number, retentionOf: (channel: string) => Retention | undefined): void {
    const due = this.sql
      .exec<{ channel: string }>("SELECT channel FROM history_channels WHERE prune_at <= ?", now)
      .toArray();
    for (const { channel } of due) {
      const retention = retentionOf(channel);
      const known = this.load(channel);
      const cutoff = retention === undefined ? Number.MAX_SAFE_INTEGER : now - retention.maxSeconds * 1000;
      const removed = this.sql.exec(
        "DELETE FROM history_events WHERE channel = ? AND published_at <= ?",
        channel,
        cutoff,
      ).rowsWritten;
      if (removed > 0) this.meter.count("history_pruned", removed);
      const oldest = this.sql
        .exec<{ published_at: number }>(
          "SELECT published_at FROM history_events WHERE channel = ? ORDER BY serial LIMIT 1",
          channel,
        )
        .toArray()[0];
      known.oldestAt = oldest?.published_at;
      // With nothing left, the serial is kept on the channel's row so that it still only grows.
      const pruneAt =
        oldest === undefined || retention === undefined ? null : oldest.published_at + retention.maxSeconds * 1000;
      this.sql.exec(
        "UPDATE history_channels SET prune_at = ?, last_serial = ? WHERE channel = ?",
        pruneAt,
        known.serial,
        channel,
      );
    }
  }

  /** Rows stored now, for stats. */
  storedEvents(): number {
    for (const row of this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM history_events")) return row.n;
    return 0;
  }

  private dropUpTo(channel: string, serial: number): void {
    const removed = this.sql.exec(
      "DELETE FROM history_events WHERE channel = ? AND serial <= ?",
      channel,
      serial,
    ).rowsWritten;
    if (removed > 0) this.meter.count("history_pruned", removed);
  }

  private load(channel: string): Known {
    const cached = this.known.get(channel);
    if (cached !== undefined) return cached;
    const row = this.sql
      .exec<{ epoch: string; last_serial: number }>(
        "SELECT epoch, last_serial FROM history_channels WHERE channel = ?",
        channel,
      )
      .toArray()[0];
    let known: Known;
    if (row === undefined) {
      // A new epoch: whatever a client remembers from history that was lost cannot be taken for this one.
      known = { epoch: crypto.randomUUID(), serial: 0, oldestAt: undefined };
      this.sql.exec(
        "INSERT INTO history_channels (channel, epoch, last_serial, prune_at) VALUES (?, ?, 0, NULL)",
        channel,
        known.epoch,
      );
    } else {
      const span = this.sql
        .exec<{ newest: number | null; oldest_at: number | null }>(
          `SELECT MAX(serial) AS newest,
             (SELECT published_at FROM history_events WHERE channel = ? ORDER BY serial LIMIT 1) AS oldest_at
           FROM history_events WHERE channel = ?`,
          channel,
          channel,
        )
        .toArray()[0];
      known = {
        epoch: row.epoch,
        serial: Math.max(row.last_serial, span?.newest ?? 0),
        oldestAt: span?.oldest_at ?? undefined,
      };
    }
    this.known.set(channel, known);
    return known;
  }
}

function storedEvent(row: EventRow): StoredEvent {
  const data: unknown = row.data_is_json === 1 ? JSON.parse(row.data) : row.data;
  const event = { serial: row.serial, time: row.published_at, name: row.name, data };
  return row.user_id === null ? event : { ...event, user_id: row.user_id };
}
