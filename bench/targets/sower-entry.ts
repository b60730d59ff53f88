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
}

export class BenchBeacon extends Beacon {
  private readonly counter: SqlCounter;

  constructor(ctx: DurableObjectState, env: Env) {
    // Wrapped before Beacon's constructor runs, so its schema statements count too.
    const counter = new SqlCounter(ctx.storage.sql);
    super(ctx, env);
    this.counter = counter;
  }

  sqlCounts(): SqlCounts {
    return { ...this.counter.totals(), databaseBytes: this.ctx.storage.sql.databaseSize };
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
