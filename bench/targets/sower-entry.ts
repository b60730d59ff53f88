import { Beacon } from "../../src/beacon/beacon";
import worker from "../../src/index";

/**
 * Sower as the bench hosts it: the production Worker, with a Beacon that also
 * counts the SQLite rows it reads and writes (what Cloudflare bills), read by
 * the bench over RPC. Only the bench builds this entry, so production pays
 * nothing for the counting.
 */
export default worker;

export interface SqlCounts {
  rowsRead: number;
  rowsWritten: number;
  statements: number;
  databaseBytes: number;
  /** Audit entries in the outbox, not yet in D1 (docs/audit.md). */
  auditWaiting: number;
  /** Rows the audit log wrote to D1 (its entries, their indexes, the stream's head), as D1 reports them. */
  d1RowsWritten: number;
  d1Batches: number;
  /** The audit database's size after its last batch. */
  d1Bytes: number;
}

export class BenchBeacon extends Beacon {
  private readonly counter: SqlCounter;
  private readonly d1: D1Counter;
  private readonly uncounted: SqlStorage["exec"];

  constructor(ctx: DurableObjectState, env: Env) {
    // Wrapped before Beacon's constructor runs, so its schema statements count too.
    const uncounted = ctx.storage.sql.exec.bind(ctx.storage.sql);
    const counter = new SqlCounter(ctx.storage.sql);
    const d1 = new D1Counter(env.AUDIT_DB);
    super(ctx, { ...env, AUDIT_DB: d1.db });
    this.counter = counter;
    this.d1 = d1;
    this.uncounted = uncounted;
  }

  sqlCounts(): SqlCounts {
    const waiting = this.uncounted<{ n: number }>("SELECT count(*) AS n FROM audit_outbox").one().n;
    return {
      ...this.counter.totals(),
      databaseBytes: this.ctx.storage.sql.databaseSize,
      auditWaiting: waiting,
      ...this.d1.totals(),
    };
  }
}

/** The audit database with its batches counted: the Beacon writes to D1 only through batch(). */
class D1Counter {
  private rowsWritten = 0;
  private batches = 0;
  private bytes = 0;
  readonly db: D1Database;

  constructor(db: D1Database) {
    this.db = new Proxy(db, {
      get: (target, property) => {
        if (property === "batch") return (statements: D1PreparedStatement[]) => this.batch(target, statements);
        const value: unknown = Reflect.get(target, property);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  }

  totals(): { d1RowsWritten: number; d1Batches: number; d1Bytes: number } {
    return { d1RowsWritten: this.rowsWritten, d1Batches: this.batches, d1Bytes: this.bytes };
  }

  private async batch(db: D1Database, statements: D1PreparedStatement[]): Promise<D1Result[]> {
    const results = await db.batch(statements);
    this.batches++;
    for (const result of results) {
      this.rowsWritten += result.meta.rows_written;
      this.bytes = result.meta.size_after;
    }
    return results;
  }
}

/**
 * Counts rows through each cursor's own rowsRead/rowsWritten. A cursor's
 * counts are final once it is consumed, and every Store call consumes its
 * cursor before the next statement, so each cursor is read when the next
 * one is made: one cursor held at a time.
 */
class SqlCounter {
  private readonly sums = { rowsRead: 0, rowsWritten: 0, statements: 0 };
  private last: SqlStorageCursor<Record<string, SqlStorageValue>> | undefined;

  constructor(sql: SqlStorage) {
    const exec = sql.exec.bind(sql);
    sql.exec = <T extends Record<string, SqlStorageValue>>(query: string, ...bindings: unknown[]) => {
      this.fold();
      const cursor = exec<T>(query, ...bindings);
      this.last = cursor;
      return cursor;
    };
  }

  totals(): { rowsRead: number; rowsWritten: number; statements: number } {
    this.fold();
    return { ...this.sums };
  }

  private fold(): void {
    if (this.last === undefined) return;
    this.sums.rowsRead += this.last.rowsRead;
    this.sums.rowsWritten += this.last.rowsWritten;
    this.sums.statements++;
    this.last = undefined;
  }
}
