import { Beacon } from "../../src/beacon/beacon";
import { Hub } from "../../src/beacon/hub";
import { CONSOLE_PATH } from "../../src/contract/console";
import { APP_ID_HEADER, APP_KEY_HEADER } from "../../src/contract/rpc";
import worker from "../../src/index";
import { BENCH_APP, BENCH_CONSOLE_PATH } from "../load/app";
import { callCounts, countEntries } from "./call-counter";
import { BENCH_COUNTS_PATH, type BenchCounts, type SqlCounts } from "./counts";
import { auditEntriesInD1, countingD1, d1Totals } from "./d1-counter";

/**
 * Sower as the bench hosts it: the production Worker, with a Beacon and a
 * Hub that also count the SQLite rows they read and write and the calls
 * that reach them (what Cloudflare bills), read by the bench at
 * `BENCH_COUNTS_PATH`, and a path that opens a debug console without the
 * dashboard's login (which needs bindings the bench does not host). Only
 * the bench builds this entry, so production pays nothing for either and
 * serves no such path.
 */
export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === BENCH_COUNTS_PATH) {
      foldLastCursor();
      const sql: SqlCounts = { ...sqlTotals, ...d1Totals, auditEntriesInD1: await auditEntriesInD1(env.AUDIT_DB) };
      const counts: BenchCounts = { sql, ...callCounts() };
      return Response.json(counts);
    }
    if (url.pathname === BENCH_CONSOLE_PATH) {
      const headers = { Upgrade: "websocket", [APP_ID_HEADER]: BENCH_APP.id, [APP_KEY_HEADER]: BENCH_APP.key };
      return env.BEACON.getByName(BENCH_APP.id).fetch(new Request(new URL(CONSOLE_PATH, url), { headers }));
    }
    return worker.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;

const sqlTotals = { rowsRead: 0, rowsWritten: 0, statements: 0 };

export class BenchBeacon extends Beacon {
  constructor(ctx: DurableObjectState, env: Env) {
    // Wrapped before Beacon's constructor runs, so its schema statements count too.
    countRows(ctx.storage.sql);
    super(ctx, { ...env, AUDIT_DB: countingD1(env.AUDIT_DB) });
  }

  benchObjectName(): string {
    return this.ctx.id.name ?? this.ctx.id.toString();
  }
}

export class BenchHub extends Hub {
  constructor(ctx: DurableObjectState, env: Env) {
    countRows(ctx.storage.sql);
    super(ctx, { ...env, AUDIT_DB: countingD1(env.AUDIT_DB) });
  }

  benchObjectName(): string {
    return this.ctx.id.name ?? this.ctx.id.toString();
  }
}

countEntries(BenchBeacon, "Beacon", {
  fetch: true,
  webSocketMessage: true,
  webSocketClose: true,
  webSocketError: true,
  alarm: true,
  publish: true,
  channelsInfo: true,
  channelInfo: true,
  channelUsers: true,
  channelHistory: true,
  channelMembers: true,
  terminateUserConnections: true,
  readStats: true,
  readSeries: true,
  recordAudit: true,
  countHubFigures: true,
  webhookOutbox: true,
  retryWebhooks: true,
  deliver: true,
  hubFrame: true,
  socketFrame: true,
  reportFor: true,
  terminateUser: true,
  countWebhooks: true,
  occupied: true,
  // Only the tests call these.
  settleWrites: false,
  benchObjectName: false,
});

countEntries(BenchHub, "Hub", {
  alarm: true,
  join: true,
  report: true,
  relay: true,
  relayStored: true,
  missedAfter: true,
  channelHistory: true,
  webhookOutbox: true,
  retryWebhooks: true,
  signIn: true,
  watch: true,
  admit: true,
  route: true,
  channelInfo: true,
  channelUsers: true,
  channelMembers: true,
  terminate: true,
  benchObjectName: false,
});

/**
 * Counts rows through each cursor's own rowsRead/rowsWritten. A cursor's
 * counts are final once it is consumed, and every Store call consumes its
 * cursor before the next statement, so each cursor is read when the next
 * one is made (or when the totals are read): one cursor held at a time.
 */
let lastCursor: SqlStorageCursor<Record<string, SqlStorageValue>> | undefined;

function foldLastCursor(): void {
  if (lastCursor === undefined) return;
  sqlTotals.rowsRead += lastCursor.rowsRead;
  sqlTotals.rowsWritten += lastCursor.rowsWritten;
  sqlTotals.statements++;
  lastCursor = undefined;
}

function countRows(sql: SqlStorage): void {
  const exec = sql.exec.bind(sql);
  sql.exec = <T extends Record<string, SqlStorageValue>>(query: string, ...bindings: unknown[]) => {
    foldLastCursor();
    const cursor = exec<T>(query, ...bindings);
    lastCursor = cursor;
    return cursor;
  };
}
