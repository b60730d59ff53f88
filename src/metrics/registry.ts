import { DurableObject } from "cloudflare:workers";

/** The one registry object's name. */
const REGISTRY_NAME = "stats";

/*
 * One row per publishing object, keyed by its Durable Object id rather
 * than by app: a sharded app will have several objects publishing, and the
 * scrape adds up their rows. The app id is kept beside it for that sum.
 */
const SCHEMA = `CREATE TABLE IF NOT EXISTS published_stats (
  object TEXT PRIMARY KEY,
  app_id TEXT NOT NULL,
  published_at INTEGER NOT NULL,
  record TEXT NOT NULL
) WITHOUT ROWID`;

/**
 * Where every Beacon leaves its latest figures for `GET /metrics`, so a
 * scrape is one RPC to this object and wakes no app's Beacon: an idle
 * Beacon's last figures stay here, and stay true while it sleeps, because
 * nothing changes while it sleeps. Each object writes at most once per
 * flush interval (beacon/stats-publisher.ts), so the writes it takes grow
 * with the number of busy objects, not with traffic; it costs nothing while
 * no Beacon is busy and no one scrapes.
 */
export class StatsRegistry extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(SCHEMA);
  }

  /**
   * Keeps `record` as the object's latest, unless a later one is already
   * kept: two publishes of one object could otherwise land out of order.
   */
  publish(object: string, appId: string, publishedAt: number, record: string): void {
    this.sql.exec(
      `INSERT INTO published_stats (object, app_id, published_at, record) VALUES (?, ?, ?, ?)
       ON CONFLICT (object) DO UPDATE SET app_id = excluded.app_id, published_at = excluded.published_at, record = excluded.record
       WHERE excluded.published_at >= published_stats.published_at`,
      object,
      appId,
      publishedAt,
      record,
    );
  }

  /** Every object's latest record, as published (JSON); the scrape reads and checks them. */
  records(): string[] {
    return this.sql
      .exec<{ record: string }>("SELECT record FROM published_stats")
      .toArray()
      .map((row) => row.record);
  }
}

/** The registry, wherever it is asked for from. */
export function statsRegistry(namespace: DurableObjectNamespace<StatsRegistry>): DurableObjectStub<StatsRegistry> {
  return namespace.getByName(REGISTRY_NAME);
}
