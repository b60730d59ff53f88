import { chain } from "../../audit/chain";
import { pruneEntries, writeEntries } from "../../audit/d1-log";
import { type AuditEnv, type AuditSink, auditSink } from "../../audit/sink";
import { log } from "../../log";
import type { AuditOutbox } from "../state/audit-outbox";
import type { AlarmContext, TimedWork } from "./alarm-clock";

/** Entries per D1 batch: one statement each, well inside D1's limits on a batch. */
export const AUDIT_BATCH = 100;
/** Batches per alarm, so a long backlog is written in steps that each commit. */
const BATCHES_PER_RING = 20;
const DAY_MS = 24 * 60 * 60 * 1000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;
/** After D1 refuses a batch: 5 s, doubling up to 5 minutes, so an outage is neither hammered nor waited out long. */
const RETRY = { firstMs: 5000, maxMs: 5 * 60 * 1000 } as const;

/**
 * The audit outbox as alarm work (docs/audit.md): waiting entries are
 * chained after the stream's head and written to D1 in batches. Only once
 * D1 has taken a batch do its entries leave the outbox, so a failed write
 * or an eviction loses nothing; a batch written twice is the same batch and
 * D1 keeps it once. A failed write is logged once per outage and retried
 * with back-off (kept in memory: a woken object tries at once). After a
 * write the object also prunes its app's entries past retention, at most
 * hourly while it stays awake.
 */
export function auditFlush(outbox: AuditOutbox, env: AuditEnv, stream: string): TimedWork<AlarmContext> {
  const sink = auditSink(env, stream);
  let prunedAt = 0;
  let failures = 0;
  let retryAt = 0;
  return {
    name: "audit",
    nextDueAt: () => {
      const due = outbox.nextDueAt();
      return due === undefined ? undefined : Math.max(due, retryAt);
    },
    run: async ({ app }) => {
      let wrote: boolean;
      try {
        wrote = await flush(outbox, sink, app.id);
      } catch (error) {
        failures++;
        retryAt = Date.now() + Math.min(RETRY.firstMs * 2 ** (failures - 1), RETRY.maxMs);
        if (failures === 1) {
          log("error", "audit entries could not be written to D1; they wait in the outbox", {
            app: app.id,
            error: String(error),
          });
        }
        return;
      }
      if (failures > 0) log("info", "D1 takes audit entries again", { app: app.id, failedAttempts: failures });
      failures = 0;
      retryAt = 0;
      // Only after a write: an object that records nothing never asks D1 anything.
      const now = Date.now();
      if (!wrote || sink.retentionDays === undefined || now - prunedAt < PRUNE_EVERY_MS) return;
      prunedAt = now;
      const removed = await pruneEntries(sink.db, app.id, now - sink.retentionDays * DAY_MS);
      if (removed > 0) log("info", "audit entries past retention removed", { app: app.id, removed });
    },
  };
}

/** Writes waiting batches until none is left or the ring's share is done; true when it wrote any. */
async function flush(outbox: AuditOutbox, sink: AuditSink, appId: string): Promise<boolean> {
  let wrote = false;
  for (let round = 0; round < BATCHES_PER_RING; round++) {
    const pending = outbox.pending(AUDIT_BATCH);
    if (pending.length === 0) break;
    const entries = await chain(appId, sink.stream, outbox.head(), pending);
    await writeEntries(sink.db, entries);
    const last = entries.at(-1);
    if (last !== undefined) outbox.flushed(last);
    wrote = true;
  }
  return wrote;
}
