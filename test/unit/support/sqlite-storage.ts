import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import { MIGRATIONS } from "../../../src/beacon/state/migrations";
import { META_TABLE } from "../../../src/beacon/state/schema";

type Row = Record<string, SqlStorageValue>;

/**
 * A Durable Object's `SqlStorage` over Node's own SQLite, for the calls the
 * state classes make (`exec`, then iterate, `toArray` or `rowsWritten`), so
 * that their SQL runs for real in unit tests rather than against a fake.
 * It starts with a fresh object's schema: every migration, in order.
 */
export function sqliteStorage(): SqlStorage {
  const database = new DatabaseSync(":memory:");
  const exec = (query: string, ...bindings: SqlStorageValue[]) => {
    const statement = database.prepare(query);
    const values = bindings.map(toInput);
    if (statement.columns().length === 0) return cursor([], Number(statement.run(...values).changes));
    return cursor(statement.all(...values).map(toRow), 0);
  };
  database.exec(META_TABLE);
  for (const migration of MIGRATIONS) for (const statement of migration.statements) database.exec(statement);
  // Only the calls above exist: anything else the state classes reach for fails loudly in the test.
  return { exec } as unknown as SqlStorage;
}

function cursor(rows: Row[], rowsWritten: number) {
  return {
    rowsWritten,
    toArray: () => rows,
    one: () => {
      if (rows.length !== 1) throw new Error(`expected one row, got ${rows.length}`);
      return rows[0];
    },
    [Symbol.iterator]: () => rows[Symbol.iterator](),
  };
}

function toInput(value: SqlStorageValue): SQLInputValue {
  return value instanceof ArrayBuffer ? new Uint8Array(value) : value;
}

function toRow(row: Record<string, unknown>): Row {
  const converted: Row = {};
  for (const [column, value] of Object.entries(row)) {
    if (typeof value === "bigint") converted[column] = Number(value);
    else if (value instanceof Uint8Array) converted[column] = value.slice().buffer;
    else if (typeof value === "string" || typeof value === "number" || value === null) converted[column] = value;
    else throw new Error(`unexpected SQLite value in column ${column}`);
  }
  return converted;
}
