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
  private readonly cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[];
  private readonly totals = { rowsRead: 0, rowsWritten: 0, statements: 0 };

  constructor(ctx: DurableObjectState, env: Env) {
    // Wrapped before Beacon's constructor runs, so its schema statements count too.
    const sql = ctx.storage.sql;
    const exec = sql.exec.bind(sql);
    const cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[] = [];
    sql.exec = <T extends Record<string, SqlStorageValue>>(query: string, ...bindings: unknown[]) => {
      const cursor = exec<T>(query, ...bindings);
      cursors.push(cursor);
      return cursor;
    };
    super(ctx, env);
    this.cursors = cursors;
  }

  /** Cursors are read once their statements have run (every Store call consumes its cursor at once). */
  sqlCounts(): SqlCounts {
    for (const cursor of this.cursors.splice(0)) {
      this.totals.rowsRead += cursor.rowsRead;
      this.totals.rowsWritten += cursor.rowsWritten;
      this.totals.statements++;
    }
    return { ...this.totals, databaseBytes: this.ctx.storage.sql.databaseSize };
  }
}
