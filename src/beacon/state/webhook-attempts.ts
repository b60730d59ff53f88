import type { WebhookAttempt } from "../../contract/console";
import type { ConsoleFeed } from "./console-feed";

/**
 * The most recent webhook requests kept. The webhooks view shows what was
 * delivered and what failed lately, not a history: a bounded table costs a
 * fixed few rows however long the app runs.
 */
export const RECENT_WEBHOOK_ATTEMPTS = 50;

/**
 * The recent attempts of this object's webhook deliveries (and, on a
 * sharded app's first shard, those its hubs handed on), in SQLite so the
 * webhooks view survives eviction. Each attempt also goes to open consoles.
 */
export class WebhookAttempts {
  constructor(
    private readonly sql: SqlStorage,
    private readonly console: ConsoleFeed,
  ) {}

  /** One insert, and one delete once the table is full: two rows written per request sent. */
  record(attempt: WebhookAttempt): void {
    this.sql.exec(
      `INSERT INTO webhook_attempts (at, endpoint, types, events, attempt, ok, error, source)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      attempt.at,
      attempt.endpoint,
      attempt.types.join(","),
      attempt.events,
      attempt.attempt,
      attempt.ok ? 1 : 0,
      attempt.error,
      attempt.source,
    );
    this.sql.exec(
      "DELETE FROM webhook_attempts WHERE id <= (SELECT MAX(id) FROM webhook_attempts) - ?",
      RECENT_WEBHOOK_ATTEMPTS,
    );
    if (!this.console.open) return;
    this.console.emit({
      kind: "webhook",
      at: attempt.at,
      endpoint: attempt.source === "" ? attempt.endpoint : `${attempt.endpoint} (from ${attempt.source})`,
      events: attempt.types,
      status: attempt.ok ? "delivered" : attempt.error,
      attempt: attempt.attempt,
    });
  }

  /** Newest first. */
  recent(): WebhookAttempt[] {
    return this.sql
      .exec<{
        at: number;
        endpoint: string;
        types: string;
        events: number;
        attempt: number;
        ok: number;
        error: string;
        source: string;
      }>("SELECT at, endpoint, types, events, attempt, ok, error, source FROM webhook_attempts ORDER BY id DESC")
      .toArray()
      .map((row) => ({
        at: row.at,
        endpoint: row.endpoint,
        types: row.types === "" ? [] : row.types.split(","),
        events: row.events,
        attempt: row.attempt,
        ok: row.ok === 1,
        error: row.error,
        source: row.source,
      }));
  }
}
