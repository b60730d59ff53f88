import { type ChainBreak, verifyRun } from "./chain";
import { type ChainedEntry, type ChainLink, GENESIS } from "./entry";

/** One page of `GET /apps/{id}/audit`, as parsed by the endpoint. */
export interface AuditQuery {
  readonly limit: number;
  readonly direction: "backwards" | "forwards";
  /** Unix milliseconds, both inclusive. */
  readonly start?: number;
  readonly end?: number;
  /** Continue after this entry id (the last of the previous page). */
  readonly cursor?: number;
}

export interface StoredAuditEntry extends ChainedEntry {
  /** The entry's place in D1, the order entries arrived in: what pages are cut by. */
  readonly id: number;
}

/** Rows as D1 answers them; checked field by field, since a row is outside data. */
type Row = Record<string, unknown>;

/** One page of the app's entries, newest first unless `forwards`; `more` when another page follows. */
export async function readPage(
  db: D1Database,
  appId: string,
  query: AuditQuery,
): Promise<{ entries: StoredAuditEntry[]; more: boolean }> {
  const forwards = query.direction === "forwards";
  const where = ["app_id = ?"];
  const values: Array<string | number> = [appId];
  if (query.start !== undefined) {
    where.push("time >= ?");
    values.push(query.start);
  }
  if (query.end !== undefined) {
    where.push("time <= ?");
    values.push(query.end);
  }
  if (query.cursor !== undefined) {
    where.push(forwards ? "id > ?" : "id < ?");
    values.push(query.cursor);
  }
  const sql = `SELECT * FROM audit_entries WHERE ${where.join(" AND ")} ORDER BY id ${forwards ? "ASC" : "DESC"} LIMIT ?`;
  const { results } = await db
    .prepare(sql)
    .bind(...values, query.limit + 1)
    .all<Row>();
  const entries = results.map(toEntry);
  const more = entries.length > query.limit;
  return { entries: entries.slice(0, query.limit), more };
}

/** What verifying every stream of an app found. */
export interface ChainReport {
  readonly verified: boolean;
  readonly streams: number;
  /** Entries checked; on a break, those checked before it. */
  readonly entries: number;
  readonly broken?: ChainBreak;
}

/** Rows read per query while verifying, so a long log never needs one huge answer. */
const VERIFY_CHUNK = 500;

/**
 * Checks every stream of the app from its anchor (or its first entry) to its
 * head: each entry's hash against its content, each link to the entry
 * before, no sequence number missing, and the newest entry the one the head
 * names, so a deleted tail shows too. Reads every retained entry of the app.
 */
export async function verifyChains(db: D1Database, appId: string): Promise<ChainReport> {
  const [streams, heads, anchors] = await db.batch<Row>([
    db
      .prepare(
        "SELECT DISTINCT stream FROM audit_entries WHERE app_id = ?1 UNION SELECT stream FROM audit_heads WHERE app_id = ?1",
      )
      .bind(appId),
    db.prepare("SELECT stream, seq, hash FROM audit_heads WHERE app_id = ?").bind(appId),
    db.prepare("SELECT stream, seq, hash FROM audit_anchors WHERE app_id = ?").bind(appId),
  ]);
  const headOf = links(heads?.results ?? []);
  const anchorOf = links(anchors?.results ?? []);
  const names = (streams?.results ?? []).map((row) => text(row.stream)).sort();
  let checked = 0;
  for (const stream of names) {
    let last = anchorOf.get(stream) ?? GENESIS;
    for (;;) {
      const { results } = await db
        .prepare("SELECT * FROM audit_entries WHERE app_id = ? AND stream = ? AND seq > ? ORDER BY seq LIMIT ?")
        .bind(appId, stream, last.seq, VERIFY_CHUNK)
        .all<Row>();
      const run = await verifyRun(stream, last, results.map(toEntry));
      if (!run.ok) return { verified: false, streams: names.length, entries: checked, broken: run.broken };
      checked += results.length;
      last = run.last;
      if (results.length < VERIFY_CHUNK) break;
    }
    const head = headOf.get(stream);
    if (head === undefined || head.seq !== last.seq || head.hash !== last.hash) {
      const reason =
        head === undefined
          ? "the stream has no head: its entries were not written by Sower"
          : `entries after ${last.seq} are missing: the stream's head is entry ${head.seq}`;
      return {
        verified: false,
        streams: names.length,
        entries: checked,
        broken: { stream, seq: last.seq + 1, reason },
      };
    }
  }
  return { verified: true, streams: names.length, entries: checked };
}

function links(rows: readonly Row[]): Map<string, ChainLink> {
  return new Map(rows.map((row) => [text(row.stream), { seq: whole(row.seq), hash: text(row.hash) }]));
}

function toEntry(row: Row): StoredAuditEntry {
  return {
    id: whole(row.id),
    appId: text(row.app_id),
    stream: text(row.stream),
    seq: whole(row.seq),
    time: whole(row.time),
    endpoint: text(row.endpoint),
    status: whole(row.status),
    key: text(row.key),
    ip: text(row.ip),
    userAgent: text(row.user_agent),
    details: text(row.details),
    prevHash: text(row.prev_hash),
    hash: text(row.hash),
  };
}

// A value of the wrong type (a row someone edited by hand) reads as one that cannot verify, never as a throw.
function text(value: unknown): string {
  return typeof value === "string" ? value : String(value);
}

function whole(value: unknown): number {
  return typeof value === "number" ? value : Number.NaN;
}
