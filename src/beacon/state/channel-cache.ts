import { LIMITS } from "../../protocol/constants";

export interface CachedEvent {
  readonly event: string;
  readonly data: string;
  /** Whole seconds until the entry expires. */
  readonly ttl: number;
}

/**
 * The last server-triggered event of each cache channel, in SQLite so it
 * outlives eviction. Expired entries are removed when a new one is written
 * (no timer needed) and ignored when read.
 */
export class ChannelCache {
  constructor(private readonly sql: SqlStorage) {}

  remember(channel: string, event: string, data: string, now: number): void {
    this.sql.exec("DELETE FROM channel_cache WHERE expires_at <= ?", now);
    this.sql.exec(
      "INSERT OR REPLACE INTO channel_cache (channel, event, data, expires_at) VALUES (?, ?, ?, ?)",
      channel,
      event,
      data,
      now + LIMITS.cacheTtlSeconds * 1000,
    );
  }

  lookup(channel: string, now: number): CachedEvent | undefined {
    const rows = this.sql.exec<{ event: string; data: string; expires_at: number }>(
      "SELECT event, data, expires_at FROM channel_cache WHERE channel = ? AND expires_at > ?",
      channel,
      now,
    );
    for (const row of rows) return { event: row.event, data: row.data, ttl: Math.ceil((row.expires_at - now) / 1000) };
    return undefined;
  }
}
