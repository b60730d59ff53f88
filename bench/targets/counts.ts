/** What the bench's build of Sower counts, and where the bench reads it (sower-entry.ts). */
export const BENCH_COUNTS_PATH = "/__bench/counts";

export interface SqlCounts {
  rowsRead: number;
  rowsWritten: number;
  statements: number;
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
