import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MIGRATIONS } from "../../src/beacon/state/migrations";
import { META_TABLE, type Migration, type SchemaStorage, upgradeSchema } from "../../src/beacon/state/schema";
import { APP_ID_HEADER } from "../../src/contract/rpc";
import { unique } from "./support/channels";
import { linesLogged } from "./support/logs";
import { expectRefused, TestSocket } from "./support/socket";
import { dropEverything, rowsOf, schemaOf } from "./support/unversioned-object";

/** The first step of the migrations under test: a table that records, in order, each step that ran. */
const TRAIL: Migration = {
  name: "trail",
  additive: false,
  statements: [
    "CREATE TABLE trail (seq INTEGER PRIMARY KEY, step TEXT NOT NULL)",
    "INSERT INTO trail (step) VALUES ('trail')",
  ],
};

function step(name: string, additive = true): Migration {
  return { name, additive, statements: [`INSERT INTO trail (step) VALUES ('${name}')`] };
}

/** A Beacon no other test uses, its storage emptied, for `run` to migrate with the migrations under test. */
function inEmptyObject<R>(run: (storage: SchemaStorage) => R): Promise<R> {
  return runInDurableObject(env.BEACON.getByName(unique("schema-")), (_, state) => {
    dropEverything(state.storage.sql);
    return run(state.storage);
  });
}

function trailOf(storage: SchemaStorage): string[] {
  return storage.sql
    .exec<{ step: string }>("SELECT step FROM trail ORDER BY seq")
    .toArray()
    .map((row) => row.step);
}

function metaOf(storage: SchemaStorage): Record<string, string> {
  return Object.fromEntries(
    storage.sql
      .exec<{ key: string; value: string }>("SELECT key, value FROM meta")
      .toArray()
      .map((row) => [row.key, row.value]),
  );
}

describe("schema migrations", () => {
  it("give a fresh object every migration and record the latest version", async () => {
    const fresh = await runInDurableObject(env.BEACON.getByName(unique("fresh-")), (_, state) => ({
      tables: schemaOf(state.storage.sql)
        .filter((entry) => entry.type === "table")
        .map((entry) => entry.name),
      meta: rowsOf(state.storage.sql, "meta"),
    }));
    expect(fresh.tables).toEqual([
      "audit_outbox",
      "audit_stream",
      "channel_cache",
      "due_work",
      "history_channels",
      "history_events",
      "meta",
      "stats_minutes",
      "subscriptions",
      "user_sessions",
      "webhook_attempts",
      "webhook_endpoints",
      "webhook_leaves",
      "webhook_outbox",
    ]);
    expect(fresh.meta).toContainEqual({ key: "schema_version", value: String(MIGRATIONS.length) });
  });

  it("apply each migration once, in order, starting after the version recorded", async () => {
    const run = await inEmptyObject((storage) => {
      const first = upgradeSchema(storage, [TRAIL, step("second")]);
      const again = upgradeSchema(storage, [TRAIL, step("second")]);
      const later = upgradeSchema(storage, [TRAIL, step("second"), step("third"), step("fourth")]);
      return { first, again, later, trail: trailOf(storage), meta: metaOf(storage) };
    });
    expect(run.first).toEqual({ ok: true, version: 2 });
    expect(run.again).toEqual({ ok: true, version: 2 });
    expect(run.later).toEqual({ ok: true, version: 4 });
    expect(run.trail).toEqual(["trail", "second", "third", "fourth"]);
    expect(run.meta).toEqual({ schema_version: "4", schema_runnable_from: "1" });
  });

  it("leave nothing of a migration that fails, stop there, and log it with the app and version", async () => {
    const broken: Migration = {
      name: "broken",
      additive: true,
      statements: [
        "CREATE TABLE half (x INTEGER)",
        "INSERT INTO trail (step) VALUES ('broken')",
        "INSERT INTO missing (x) VALUES (1)",
      ],
    };
    let run: unknown;
    const errors = await linesLogged("error", async () => {
      run = await inEmptyObject((storage) => {
        storage.sql.exec(META_TABLE);
        storage.sql.exec("INSERT INTO meta (key, value) VALUES ('app_id', 'schema-app')");
        const failed = upgradeSchema(storage, [TRAIL, step("second"), broken, step("after")]);
        const state = {
          trail: trailOf(storage),
          meta: metaOf(storage),
          half: schemaOf(storage.sql).some((entry) => entry.name === "half"),
        };
        const fixed = upgradeSchema(storage, [TRAIL, step("second"), step("fixed"), step("after")]);
        return { failed, state, fixed, trail: trailOf(storage) };
      });
    });
    expect(run).toEqual({
      failed: {
        ok: false,
        version: 2,
        problem: "This app's storage cannot be used: the upgrade to schema version 3 (broken) failed.",
      },
      state: {
        trail: ["trail", "second"],
        meta: { app_id: "schema-app", schema_version: "2", schema_runnable_from: "1" },
        half: false,
      },
      fixed: { ok: true, version: 4 },
      trail: ["trail", "second", "fixed", "after"],
    });
    expect(errors).toEqual([
      {
        level: "error",
        message: "schema cannot be used; the object refuses work",
        app: "schema-app",
        version: 3,
        error: expect.stringContaining("no such table: missing"),
        reason: "the upgrade to schema version 3 (broken) failed",
      },
    ]);
  });

  it("let an older release run on a newer schema only when every migration it lacks was additive", async () => {
    const run = await inEmptyObject((storage) => {
      upgradeSchema(storage, [TRAIL, step("second"), step("third")]);
      const pastAdditive = upgradeSchema(storage, [TRAIL]);
      upgradeSchema(storage, [TRAIL, step("second"), step("third"), step("fourth", false)]);
      const pastBreaking = upgradeSchema(storage, [TRAIL, step("second"), step("third")]);
      const current = upgradeSchema(storage, [TRAIL, step("second"), step("third"), step("fourth", false)]);
      return { pastAdditive, pastBreaking, current, trail: trailOf(storage) };
    });
    expect(run).toEqual({
      pastAdditive: { ok: true, version: 3 },
      pastBreaking: {
        ok: false,
        version: 4,
        problem: "This app's storage cannot be used: schema version 4 is newer than this release knows (3).",
      },
      current: { ok: true, version: 4 },
      trail: ["trail", "second", "third", "fourth"],
    });
  });

  it("refuse a recorded version that is not a whole number", async () => {
    const status = await inEmptyObject((storage) => {
      storage.sql.exec(META_TABLE);
      storage.sql.exec("INSERT INTO meta (key, value) VALUES ('schema_version', 'two')");
      return upgradeSchema(storage, [TRAIL]);
    });
    expect(status).toEqual({
      ok: false,
      version: 0,
      problem: "This app's storage cannot be used: the recorded schema version is not a whole number.",
    });
  });
});

describe("a Beacon whose schema cannot be used", () => {
  /**
   * Prepares a Beacon's storage with `prepare`, evicts it so its constructor
   * runs again, and returns what a socket and an RPC call get from it.
   */
  async function wokenAfter(prepare: (sql: SqlStorage, appId: string) => void) {
    const appId = unique("refusing-");
    const stub = env.BEACON.getByName(appId);
    await runInDurableObject(stub, (_, state) => prepare(state.storage.sql, appId));
    await evictDurableObject(stub);
    const response = await stub.fetch("http://sower.test/app/refusing-key?protocol=7", {
      headers: { Upgrade: "websocket", [APP_ID_HEADER]: appId },
    });
    const ws = response.webSocket;
    if (ws === null) throw new Error(`no WebSocket: HTTP ${response.status}`);
    ws.accept();
    const socket = new TestSocket(ws);
    const rpc = await stub.readStats(appId).then(
      () => "served",
      (error: unknown) => String(error),
    );
    const tables = await runInDurableObject(stub, (_, state) => schemaOf(state.storage.sql).map((entry) => entry.name));
    return { appId, socket, rpc, tables };
  }

  const UNAVAILABLE = "Service unavailable: this app's storage could not be upgraded; try again later";

  it("refuses sockets with 4100 and RPC calls with the reason when a newer release's breaking migration ran", async () => {
    let woken: Awaited<ReturnType<typeof wokenAfter>> | undefined;
    const errors = await linesLogged("error", async () => {
      woken = await wokenAfter((sql, appId) => {
        sql.exec(
          "INSERT OR REPLACE INTO meta (key, value) VALUES ('app_id', ?), ('schema_version', ?), ('schema_runnable_from', ?)",
          appId,
          String(MIGRATIONS.length + 1),
          String(MIGRATIONS.length + 1),
        );
      });
    });
    if (woken === undefined) throw new Error("the Beacon was not woken");
    await expectRefused(woken.socket, 4100, UNAVAILABLE);
    const version = MIGRATIONS.length + 1;
    const problem = `schema version ${version} is newer than this release knows (${MIGRATIONS.length})`;
    expect(woken.rpc).toContain(`This app's storage cannot be used: ${problem}.`);
    expect(errors).toContainEqual({
      level: "error",
      message: "schema cannot be used; the object refuses work",
      app: woken.appId,
      version,
      reason: problem,
    });
  });

  it("refuses work, and keeps nothing of the migration, when a migration fails on wake", async () => {
    let woken: Awaited<ReturnType<typeof wokenAfter>> | undefined;
    const errors = await linesLogged("error", async () => {
      woken = await wokenAfter((sql, appId) => {
        // An unversioned object whose due_work is a view: migration 1 cannot index it.
        dropEverything(sql);
        sql.exec(META_TABLE);
        sql.exec("INSERT INTO meta (key, value) VALUES ('app_id', ?)", appId);
        sql.exec("CREATE VIEW due_work AS SELECT 'kind' AS kind, 'key' AS key, 0 AS due_at");
      });
    });
    if (woken === undefined) throw new Error("the Beacon was not woken");
    await expectRefused(woken.socket, 4100, UNAVAILABLE);
    expect(woken.rpc).toContain("the upgrade to schema version 1");
    // Neither the tables migration 1 creates before the failing index, nor a version.
    expect(woken.tables.sort()).toEqual(["due_work", "meta"]);
    expect(errors).toContainEqual(
      expect.objectContaining({
        message: "schema cannot be used; the object refuses work",
        app: woken.appId,
        version: 1,
      }),
    );
  });
});
