import { sha256Hex } from "../auth/crypto";
import type { AuditEntry, ChainedEntry, ChainLink } from "./entry";

/**
 * An entry's hash covers every stored field and the hash of the entry
 * before it, so changing, removing or reordering any entry changes every
 * hash after it. The fields are hashed as one JSON array, which anyone can
 * rebuild from a row (docs/audit.md shows how).
 */
export async function entryHash(entry: Omit<ChainedEntry, "hash">): Promise<string> {
  return sha256Hex(JSON.stringify(hashedFields(entry)));
}

/** The fields an entry's hash covers, in order: also the order of D1's columns before `hash`. */
export function hashedFields(entry: Omit<ChainedEntry, "hash">): Array<string | number> {
  return [
    entry.appId,
    entry.stream,
    entry.seq,
    entry.time,
    entry.endpoint,
    entry.status,
    entry.key,
    entry.ip,
    entry.userAgent,
    entry.details,
    entry.prevHash,
  ];
}

/**
 * Links `entries` (in sequence order) after `head`. The same entries after
 * the same head always give the same hashes, so a batch written again after
 * a failure is the same batch.
 */
export async function chain(
  appId: string,
  stream: string,
  head: ChainLink,
  entries: readonly AuditEntry[],
): Promise<ChainedEntry[]> {
  const chained: ChainedEntry[] = [];
  let prevHash = head.hash;
  for (const entry of entries) {
    const linked = { ...entry, appId, stream, prevHash };
    const hash = await entryHash(linked);
    chained.push({ ...linked, hash });
    prevHash = hash;
  }
  return chained;
}

/** Where a stream's chain breaks, and why. */
export interface ChainBreak {
  readonly stream: string;
  readonly seq: number;
  readonly reason: string;
}

/**
 * Checks one stream's entries, read in sequence order from just after
 * `anchor` (the last entry retention removed, or GENESIS). Returns the first
 * break, or the last link checked so the next page of rows continues from it.
 */
export async function verifyRun(
  stream: string,
  anchor: ChainLink,
  rows: readonly ChainedEntry[],
): Promise<{ ok: true; last: ChainLink } | { ok: false; broken: ChainBreak }> {
  let last = anchor;
  for (const row of rows) {
    const expected = last.seq + 1;
    if (row.seq !== expected) {
      return { ok: false, broken: { stream, seq: expected, reason: `entry ${expected} is missing` } };
    }
    if (row.prevHash !== last.hash) {
      return {
        ok: false,
        broken: { stream, seq: row.seq, reason: "its prev_hash is not the hash of the entry before it" },
      };
    }
    if ((await entryHash(row)) !== row.hash) {
      return { ok: false, broken: { stream, seq: row.seq, reason: "its content does not match its hash" } };
    }
    last = { seq: row.seq, hash: row.hash };
  }
  return { ok: true, last };
}
