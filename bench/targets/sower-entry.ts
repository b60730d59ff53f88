import { Beacon } from "../../src/beacon/beacon";
import { CONSOLE_PATH } from "../../src/contract/console";
import { APP_ID_HEADER, APP_KEY_HEADER } from "../../src/contract/rpc";
import worker from "../../src/index";
import { BENCH_APP, BENCH_CONSOLE_PATH } from "../load/app";

/**
 * Sower as the bench hosts it: the production Worker, with a Beacon that also
 * counts the SQLite rows it reads and writes (what Cloudflare bills), read by
 * the bench over RPC, and a path that opens a debug console without the
 * dashboard's login (which needs bindings the bench does not host). Only the
 * bench builds this entry, so production pays nothing for either.
 */
export default {
  fetch(request: Request<unknown, IncomingRequestCfProperties>, env: Env): Promise<Response> | Response {
    const url = new URL(request.url);
    if (url.pathname !== BENCH_CONSOLE_PATH) return worker.fetch(request, env);
    const headers = { Upgrade: "websocket", [APP_ID_HEADER]: BENCH_APP.id, [APP_KEY_HEADER]: BENCH_APP.key };
    return env.BEACON.getByName(BENCH_APP.id).fetch(new Request(new URL(CONSOLE_PATH, url), { headers }));
  },
};

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
