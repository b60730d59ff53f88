/**
 * The webhook outbox in the Beacon's SQLite. A webhook is a row here from
 * the moment the state change that caused it happens until an endpoint has
 * answered 2xx, so eviction, a restart or a crash in between loses nothing.
 *
 * Three tables:
 * - `webhook_leaves`: `channel_vacated` / `member_removed` held for Pusher's
 *   grace period; a re-join within it deletes the row and nothing is sent.
 * - `webhook_outbox`: one row per event per endpoint (by URL), in order.
 * - `webhook_endpoints`: back-off state of endpoints that are failing. An
 *   endpoint backs off as a whole, so its events stay in order and a dead
 *   server is not hammered once per event.
 */
export type LeaveKind = "channel_vacated" | "member_removed";

export interface HeldLeave {
  kind: LeaveKind;
  channel: string;
  /** Empty for `channel_vacated`. */
  userId: string;
}

export interface OutboxRow {
  id: number;
  /** One event in its wire form (JSON text). */
  event: string;
  createdAt: number;
}

/** One endpoint's queue: how many events wait, its attempts since its last success, and when it is next due. */
export interface Backlog {
  endpoint: string;
  pending: number;
  attempts: number;
  nextAttemptAt: number;
}

export class WebhookOutbox {
  constructor(private readonly sql: SqlStorage) {}

  holdLeave(leave: HeldLeave, dueAt: number): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO webhook_leaves (kind, channel, user_id, due_at) VALUES (?, ?, ?, ?)",
      leave.kind,
      leave.channel,
      leave.userId,
      dueAt,
    );
  }

  /** True when a held leave was dropped, i.e. the backend never heard of it. */
  cancelLeave(leave: HeldLeave): boolean {
    return (
      this.sql.exec(
        "DELETE FROM webhook_leaves WHERE kind = ? AND channel = ? AND user_id = ?",
        leave.kind,
        leave.channel,
        leave.userId,
      ).rowsWritten > 0
    );
  }

  /** Removes and returns the held leaves whose grace period is over. */
  takeDueLeaves(now: number): HeldLeave[] {
    const leaves: HeldLeave[] = [];
    for (const row of this.sql.exec<{ kind: string; channel: string; user_id: string }>(
      "SELECT kind, channel, user_id FROM webhook_leaves WHERE due_at <= ? ORDER BY due_at, id",
      now,
    )) {
      if (row.kind === "channel_vacated" || row.kind === "member_removed") {
        leaves.push({ kind: row.kind, channel: row.channel, userId: row.user_id });
      }
    }
    this.sql.exec("DELETE FROM webhook_leaves WHERE due_at <= ?", now);
    return leaves;
  }

  add(endpoint: string, event: string, createdAt: number, dueAt: number): void {
    this.sql.exec(
      "INSERT INTO webhook_outbox (endpoint, event, created_at, due_at) VALUES (?, ?, ?, ?)",
      endpoint,
      event,
      createdAt,
      dueAt,
    );
  }

  /** The earliest time any webhook work is due, or undefined when there is none. */
  nextDueAt(): number | undefined {
    let next: number | undefined;
    for (const row of this.sql.exec<{ due: number | null }>("SELECT MIN(due_at) AS due FROM webhook_leaves")) {
      if (row.due !== null) next = row.due;
    }
    for (const row of this.endpointsWithDueTimes()) {
      if (next === undefined || row.dueAt < next) next = row.dueAt;
    }
    return next;
  }

  /** Endpoints with at least one row due and no back-off in force. */
  dueEndpoints(now: number): string[] {
    return this.endpointsWithDueTimes()
      .filter((row) => row.dueAt <= now)
      .map((row) => row.endpoint);
  }

  /** The endpoint's oldest due rows, in order. */
  batch(endpoint: string, now: number, limit: number): OutboxRow[] {
    return this.sql
      .exec<{ id: number; event: string; created_at: number }>(
        "SELECT id, event, created_at FROM webhook_outbox WHERE endpoint = ? AND due_at <= ? ORDER BY id LIMIT ?",
        endpoint,
        now,
        limit,
      )
      .toArray()
      .map((row) => ({ id: row.id, event: row.event, createdAt: row.created_at }));
  }

  /**
   * Records an attempt before it is made, with the time to retry if it never
   * reports back (a crash mid-request). Returns the attempt's number.
   */
  beginAttempt(endpoint: string, retryAt: (attempt: number) => number): number {
    let attempt = 1;
    for (const row of this.sql.exec<{ attempts: number }>(
      "SELECT attempts FROM webhook_endpoints WHERE endpoint = ?",
      endpoint,
    )) {
      attempt = row.attempts + 1;
    }
    this.sql.exec(
      "INSERT OR REPLACE INTO webhook_endpoints (endpoint, attempts, retry_at) VALUES (?, ?, ?)",
      endpoint,
      attempt,
      retryAt(attempt),
    );
    return attempt;
  }

  /** When a backing-off endpoint may next be tried, or undefined when it is not backing off. */
  retryAt(endpoint: string): number | undefined {
    for (const row of this.sql.exec<{ retry_at: number }>(
      "SELECT retry_at FROM webhook_endpoints WHERE endpoint = ?",
      endpoint,
    )) {
      return row.retry_at;
    }
    return undefined;
  }

  /** The endpoint answered 2xx: its rows are done and its back-off is over. */
  delivered(endpoint: string, rows: readonly OutboxRow[]): void {
    const last = rows.at(-1);
    if (last !== undefined) {
      this.sql.exec("DELETE FROM webhook_outbox WHERE endpoint = ? AND id <= ?", endpoint, last.id);
    }
    this.sql.exec("DELETE FROM webhook_endpoints WHERE endpoint = ?", endpoint);
  }

  /** Gives up on an endpoint's rows created before `cutoff`; returns how many. */
  dropOlderThan(endpoint: string, cutoff: number): number {
    return this.sql.exec("DELETE FROM webhook_outbox WHERE endpoint = ? AND created_at < ?", endpoint, cutoff)
      .rowsWritten;
  }

  /** Keeps only the endpoint's newest `keep` rows; returns how many older ones were dropped. */
  keepNewest(endpoint: string, keep: number): number {
    return this.sql.exec(
      `DELETE FROM webhook_outbox WHERE endpoint = ? AND id <=
         (SELECT id FROM webhook_outbox WHERE endpoint = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
      endpoint,
      endpoint,
      keep,
    ).rowsWritten;
  }

  /** An endpoint removed from the configuration: nothing can be sent to it any more. */
  forgetEndpoint(endpoint: string): number {
    const dropped = this.sql.exec("DELETE FROM webhook_outbox WHERE endpoint = ?", endpoint).rowsWritten;
    this.sql.exec("DELETE FROM webhook_endpoints WHERE endpoint = ?", endpoint);
    return dropped;
  }

  /** Every endpoint with queued events, for the dashboard's webhooks view. */
  backlogs(): Backlog[] {
    return this.sql
      .exec<{ endpoint: string; pending: number; due: number; attempts: number | null; retry_at: number | null }>(
        `SELECT o.endpoint AS endpoint, COUNT(*) AS pending, MIN(o.due_at) AS due,
                e.attempts AS attempts, e.retry_at AS retry_at
           FROM webhook_outbox o LEFT JOIN webhook_endpoints e ON e.endpoint = o.endpoint
          GROUP BY o.endpoint ORDER BY o.endpoint`,
      )
      .toArray()
      .map((row) => ({
        endpoint: row.endpoint,
        pending: row.pending,
        attempts: row.attempts ?? 0,
        nextAttemptAt: Math.max(row.due, row.retry_at ?? 0),
      }));
  }

  /** Leaves still in their grace period. */
  heldLeaves(): number {
    for (const row of this.sql.exec<{ held: number }>("SELECT COUNT(*) AS held FROM webhook_leaves")) return row.held;
    return 0;
  }

  /** Ends every endpoint's back-off and makes its queued events due by `now`; returns how many are queued. */
  retryNow(now: number): number {
    this.sql.exec("UPDATE webhook_endpoints SET retry_at = ? WHERE retry_at > ?", now, now);
    this.sql.exec("UPDATE webhook_outbox SET due_at = ? WHERE due_at > ?", now, now);
    for (const row of this.sql.exec<{ queued: number }>("SELECT COUNT(*) AS queued FROM webhook_outbox")) {
      return row.queued;
    }
    return 0;
  }

  private endpointsWithDueTimes(): Array<{ endpoint: string; dueAt: number }> {
    return this.sql
      .exec<{ endpoint: string; due: number; retry_at: number | null }>(
        `SELECT o.endpoint AS endpoint, MIN(o.due_at) AS due, e.retry_at AS retry_at
           FROM webhook_outbox o LEFT JOIN webhook_endpoints e ON e.endpoint = o.endpoint
          GROUP BY o.endpoint`,
      )
      .toArray()
      .map((row) => ({ endpoint: row.endpoint, dueAt: Math.max(row.due, row.retry_at ?? 0) }));
  }
}
