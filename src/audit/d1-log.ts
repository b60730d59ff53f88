import { hashedFields } from "./chain";
import type { ChainedEntry } from "./entry";

/*
 * Writing the audit log to D1 (docs/audit.md). Each batch is one D1 batch,
 * which D1 runs as one transaction: the entries and their stream's head land
 * together or not at all. Inserts skip a (app, stream, seq) already there, so a
 * batch written again after its acknowledgement was lost adds nothing.
 */

const INSERT_ENTRY = `INSERT INTO audit_entries
  (app_id, stream, seq, time, endpoint, status, key, ip, user_agent, details, prev_hash, hash)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (app_id, stream, seq) DO NOTHING`;

// The head only moves forward: a batch replayed late must not pull it back.
const ADVANCE_HEAD = `INSERT INTO audit_heads (app_id, stream, seq, hash) VALUES (?, ?, ?, ?)
  ON CONFLICT (app_id, stream) DO UPDATE SET seq = excluded.seq, hash = excluded.hash
  WHERE excluded.seq > audit_heads.seq`;

/** Writes one chained batch (non-empty, one stream, in order); throws when D1 does not take it. */
export async function writeEntries(db: D1Database, entries: readonly ChainedEntry[]): Promise<D1Meta[]> {
  const last = entries.at(-1);
  if (last === undefined) return [];
  const insert = db.prepare(INSERT_ENTRY);
  const statements = entries.map((entry) => insert.bind(...hashedFields(entry), entry.hash));
  statements.push(db.prepare(ADVANCE_HEAD).bind(last.appId, last.stream, last.seq, last.hash));
  const results = await db.batch(statements);
  return results.map((result) => result.meta);
}

// SQLite gives a bare column beside MAX() the value of the row that holds the maximum: the anchor's hash.
const MOVE_ANCHORS = `INSERT INTO audit_anchors (app_id, stream, seq, hash)
  SELECT app_id, stream, MAX(seq), hash FROM audit_entries WHERE app_id = ?1 AND time < ?2 GROUP BY stream
  ON CONFLICT (app_id, stream) DO UPDATE SET seq = excluded.seq, hash = excluded.hash
  WHERE excluded.seq > audit_anchors.seq`;

// Times only grow within a stream (one object's clock), so these are exactly the entries up to each anchor.
const DELETE_OLD = "DELETE FROM audit_entries WHERE app_id = ?1 AND time < ?2";

/**
 * Removes the app's entries older than `before`, every stream at once. The
 * last one removed from each stream becomes its anchor, in the same
 * transaction, so the chain still verifies from there. Returns how many went.
 */
export async function pruneEntries(db: D1Database, appId: string, before: number): Promise<number> {
  const [, deleted] = await db.batch([
    db.prepare(MOVE_ANCHORS).bind(appId, before),
    db.prepare(DELETE_OLD).bind(appId, before),
  ]);
  return deleted?.meta.changes ?? 0;
}
