import { AUDIT_TEXT_LIMIT, type AuditEntry, type AuditRequest, type ChainLink, GENESIS } from "../../audit/entry";
import { log } from "../../log";

/** How many entries an object keeps waiting for D1 before it drops new ones (docs/audit.md, "The bound"). */
export const AUDIT_OUTBOX_LIMIT = 10_000;
/** How long an entry waits for others to share its D1 batch. */
export const AUDIT_FLUSH_DELAY_MS = 1000;

/** What the outbox needs of its object: the alarm for a first entry to flush, and the app for its log line. */
export interface AuditOutboxHost {
  wake(dueAt: number): void;
  appId(): string | undefined;
}

interface StreamRow {
  headSeq: number;
  headHash: string;
  dropped: number;
  droppedSince: number | null;
}

type OutboxRow = {
  seq: number;
  time: number;
  endpoint: string;
  status: number;
  key: string;
  ip: string;
  user_agent: string;
  details: string;
};

/**
 * The audit entries an object recorded and D1 has not yet acknowledged
 * (docs/audit.md). Recording a call is one row, written in the same
 * synchronous step that handles the call, so it commits with the call's
 * effects and survives eviction; nothing here waits for D1. Each object is
 * one stream: its entries are numbered here, and chained when they are flushed.
 */
export class AuditOutbox {
  /** Counted once per wake, then kept: the bound is checked on every entry. */
  private size: number | undefined;
  private nextSeq: number | undefined;
  /** The stream's row as last read or written. */
  private cached: StreamRow | undefined;

  constructor(
    private readonly sql: SqlStorage,
    private readonly host: AuditOutboxHost,
  ) {}

  /** Records one call that ended with `status`. At the bound it is counted as dropped instead. */
  append(request: AuditRequest, status: number, now: number): void {
    const stream = this.stream();
    if (this.count() >= AUDIT_OUTBOX_LIMIT) {
      this.sql.exec(
        "UPDATE audit_stream SET dropped = ?, dropped_since = ?",
        stream.dropped + 1,
        stream.droppedSince ?? now,
      );
      if (stream.dropped === 0) {
        log("error", "the audit outbox is full: new entries are counted as dropped until D1 takes the waiting ones", {
          app: this.host.appId(),
          waiting: AUDIT_OUTBOX_LIMIT,
        });
      }
      this.cached = { ...stream, dropped: stream.dropped + 1, droppedSince: stream.droppedSince ?? now };
      return;
    }
    // What was lost is itself an entry, so the chain says where it has a hole.
    if (stream.dropped > 0) {
      const details = { dropped: stream.dropped, since: stream.droppedSince, reason: "the audit outbox was full" };
      this.insert({ endpoint: "audit entries dropped", key: "", ip: "", userAgent: "", details }, 0, now);
      this.sql.exec("UPDATE audit_stream SET dropped = 0, dropped_since = NULL");
      this.cached = { ...stream, dropped: 0, droppedSince: null };
    }
    this.insert(request, request.status ?? status, now);
  }

  /** Records calls whose status the Worker already knows (refusals, dashboard logins). */
  record(requests: readonly AuditRequest[], now: number): void {
    for (const request of requests) this.append(request, request.status ?? 0, now);
  }

  /** The oldest entries waiting, in sequence order. */
  pending(limit: number): AuditEntry[] {
    return this.sql
      .exec<OutboxRow>("SELECT * FROM audit_outbox ORDER BY seq LIMIT ?", limit)
      .toArray()
      .map(({ user_agent: userAgent, ...row }) => ({ ...row, userAgent }));
  }

  /** The newest entry D1 has acknowledged: where the next batch's chain continues. */
  head(): ChainLink {
    const { headSeq, headHash } = this.stream();
    return { seq: headSeq, hash: headHash };
  }

  /** D1 has the entries up to `link`: they leave the outbox and `link` becomes the head, in one transaction. */
  flushed(link: ChainLink): void {
    this.sql.exec("DELETE FROM audit_outbox WHERE seq <= ?", link.seq);
    this.sql.exec("UPDATE audit_stream SET head_seq = ?, head_hash = ?", link.seq, link.hash);
    this.size = undefined;
    this.cached = { ...this.stream(), headSeq: link.seq, headHash: link.hash };
  }

  /** When the oldest waiting entry is due to be flushed, or undefined when none waits. */
  nextDueAt(): number | undefined {
    for (const row of this.sql.exec<{ time: number }>("SELECT time FROM audit_outbox ORDER BY seq LIMIT 1")) {
      return row.time + AUDIT_FLUSH_DELAY_MS;
    }
    return undefined;
  }

  private insert(request: Omit<AuditRequest, "status">, status: number, now: number): void {
    const seq = this.takeSeq();
    this.sql.exec(
      "INSERT INTO audit_outbox (seq, time, endpoint, status, key, ip, user_agent, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      seq,
      now,
      request.endpoint.slice(0, AUDIT_TEXT_LIMIT),
      status,
      request.key.slice(0, AUDIT_TEXT_LIMIT),
      request.ip.slice(0, AUDIT_TEXT_LIMIT),
      request.userAgent.slice(0, AUDIT_TEXT_LIMIT),
      JSON.stringify(request.details),
    );
    this.size = this.count() + 1;
    if (this.size === 1) this.host.wake(now + AUDIT_FLUSH_DELAY_MS);
  }

  private takeSeq(): number {
    if (this.nextSeq === undefined) {
      const [row] = this.sql.exec<{ last: number | null }>("SELECT max(seq) AS last FROM audit_outbox").toArray();
      this.nextSeq = Math.max(row?.last ?? 0, this.head().seq) + 1;
    }
    return this.nextSeq++;
  }

  private count(): number {
    this.size ??= this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM audit_outbox").one().n;
    return this.size;
  }

  /** The stream's row, created with the first entry an object records. */
  private stream(): StreamRow {
    if (this.cached !== undefined) return this.cached;
    for (const row of this.sql.exec<{
      head_seq: number;
      head_hash: string;
      dropped: number;
      dropped_since: number | null;
    }>("SELECT head_seq, head_hash, dropped, dropped_since FROM audit_stream")) {
      this.cached = {
        headSeq: row.head_seq,
        headHash: row.head_hash,
        dropped: row.dropped,
        droppedSince: row.dropped_since,
      };
      return this.cached;
    }
    this.sql.exec(
      "INSERT INTO audit_stream (id, head_seq, head_hash, dropped) VALUES (1, ?, ?, 0)",
      GENESIS.seq,
      GENESIS.hash,
    );
    this.cached = { headSeq: GENESIS.seq, headHash: GENESIS.hash, dropped: 0, droppedSince: null };
    return this.cached;
  }
}
