/** What every object's writes to the audit database added up to (docs/audit.md). */
export const d1Totals = { d1RowsWritten: 0, d1Batches: 0, d1Bytes: 0 };

/**
 * The audit database with its batches counted, as D1 reports them: objects
 * write to D1 only through batch() (src/audit/), so that is all it wraps.
 */
export function countingD1(db: D1Database): D1Database {
  const batch = async (statements: D1PreparedStatement[]): Promise<D1Result[]> => {
    const results = await db.batch(statements);
    d1Totals.d1Batches++;
    for (const result of results) {
      d1Totals.d1RowsWritten += result.meta.rows_written;
      d1Totals.d1Bytes = result.meta.size_after;
    }
    return results;
  };
  return new Proxy(db, {
    get: (target, property) => {
      if (property === "batch") return batch;
      const value: unknown = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** How many entries the audit log holds: what reached D1, whoever wrote it. */
export async function auditEntriesInD1(db: D1Database): Promise<number> {
  return (await db.prepare("SELECT count(*) AS n FROM audit_entries").first<number>("n")) ?? 0;
}
