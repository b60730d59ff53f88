/** What the bench's build of Sower counts, and where the bench reads it (sower-entry.ts). */
export const BENCH_COUNTS_PATH = "/__bench/counts";

export interface SqlCounts {
  rowsRead: number;
  rowsWritten: number;
  statements: number;
  /** Entries of the audit log in D1 (docs/audit.md), read from D1 itself. */
  auditEntriesInD1: number;
  /** Rows the audit log wrote to D1 (its entries, their indexes, the streams' heads), as D1 reports them. */
  d1RowsWritten: number;
  d1Batches: number;
  /** The audit database's size after its last batch. */
  d1Bytes: number;
}

export interface CallCounts {
  /** Calls by "Class.method". */
  calls: Record<string, number>;
  /** Calls by "Class name-of-object". */
  objects: Record<string, number>;
}

export interface BenchCounts extends CallCounts {
  /** Over every object of the Worker since it started. */
  sql: SqlCounts;
}
