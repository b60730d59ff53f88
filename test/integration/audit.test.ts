import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { APP_A, APP_B, AUDITED_APP, LIMITED_APP, type TestApp, TIGHT_APP, UNAUDITED_APP } from "./support/apps";
import {
  type AuditRow,
  auditedCall,
  CLIENT_IP,
  evict,
  flush,
  type Recorder,
  readAudit,
  recorderOf,
  refusalRecorder,
  rowsOf,
  USER_AGENT,
  userRecorder,
  waiting,
} from "./support/audit";
import { unique } from "./support/channels";
import { dashboard, logIn } from "./support/dashboard";
import { linesLogged } from "./support/logs";

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** The rows of `app` whose details mention `marker` (a channel or user of one test). */
async function rowsAbout(app: TestApp, marker: string): Promise<AuditRow[]> {
  return (await rowsOf(app)).filter((row) => row.details.includes(marker));
}

/** From CLIENT_IP: a dashboard login to `app` with a wrong secret, then a login and a publish to `channel`. */
async function useDashboard(app: TestApp, channel: string): Promise<{ failedLogin: number; published: number }> {
  const headers = { "CF-Connecting-IP": CLIENT_IP, "User-Agent": USER_AGENT };
  const failed = await dashboard("/api/login", {
    body: { key: app.key, secret: "not-the-secret-0123456789" },
    headers,
  });
  const cookie = await logIn({ key: app.key, secret: app.secret });
  const published = await dashboard(`/api/apps/${app.id}/events`, {
    body: { name: "from-dashboard", channel, data: "{}" },
    cookie,
    headers,
  });
  return { failedLogin: failed.status, published: published.status };
}

function trigger(channel: string, data = "{}") {
  return auditedCall(AUDITED_APP, "POST", "/events", { body: { name: "audited", channel, data } });
}

/** `count` triggers on one channel, written to D1: one stream's consecutive entries. */
async function recordedTriggers(channel: string, count: number): Promise<AuditRow[]> {
  for (let index = 0; index < count; index++) expect((await trigger(channel, `{"n":${index}}`)).status).toBe(200);
  await flush(recorderOf(AUDITED_APP, channel));
  return rowsAbout(AUDITED_APP, channel);
}

describe("what the audit log records", () => {
  it("records a trigger in the step that handles it: events, channels, data sizes and digests, the excluded socket, who called", async () => {
    const channel = unique("audit-events-");
    const data = JSON.stringify({ greeting: "hello", n: 1 });
    const body = { name: "greet", channels: [channel, `${channel}-b`], data, socket_id: "123.456" };
    const response = await auditedCall(AUDITED_APP, "POST", "/events", { body });
    expect(response.status).toBe(200);
    const recorder = recorderOf(AUDITED_APP, channel);
    expect(await waiting(recorder)).toBe(1);
    await flush(recorder);
    expect(await waiting(recorder)).toBe(0);

    const [row, ...others] = await rowsAbout(AUDITED_APP, channel);
    expect(others).toEqual([]);
    expect(row).toMatchObject({
      endpoint: "POST /events",
      status: 200,
      key: AUDITED_APP.key,
      ip: CLIENT_IP,
      user_agent: USER_AGENT,
    });
    expect(JSON.parse(row?.details ?? "")).toEqual({
      events: [
        {
          name: "greet",
          channels: [channel, `${channel}-b`],
          data_bytes: new TextEncoder().encode(data).length,
          data_sha256: await sha256(data),
          socket_id: "123.456",
        },
      ],
    });
    const signature = new URL(response.url, "http://sower.test").searchParams.get("auth_signature") ?? "";
    expect(signature).not.toBe("");
    expect(JSON.stringify(row)).not.toContain(signature);
    expect(JSON.stringify(row)).not.toContain(AUDITED_APP.secret);
  });

  it("records a batch as one entry with every event in order", async () => {
    const channel = unique("audit-batch-");
    const batch = [
      { name: "first", channel, data: "1" },
      { name: "second", channel: `${channel}-b`, data: "22" },
    ];
    expect((await auditedCall(AUDITED_APP, "POST", "/batch_events", { body: { batch } })).status).toBe(200);
    await flush(recorderOf(AUDITED_APP, channel));
    const [row, ...others] = await rowsAbout(AUDITED_APP, channel);
    expect(others).toEqual([]);
    expect(row).toMatchObject({ endpoint: "POST /batch_events", status: 200, key: AUDITED_APP.key });
    const { events } = JSON.parse(row?.details ?? "");
    expect(events).toEqual([
      { name: "first", channels: [channel], data_bytes: 1, data_sha256: await sha256("1") },
      { name: "second", channels: [`${channel}-b`], data_bytes: 2, data_sha256: await sha256("22") },
    ]);
  });

  it("records terminate_connections with the user", async () => {
    const user = unique("audit-user-");
    const response = await auditedCall(AUDITED_APP, "POST", `/users/${user}/terminate_connections`, { body: {} });
    expect(response.status).toBe(200);
    await flush(userRecorder(AUDITED_APP, user));
    const [row, ...others] = await rowsAbout(AUDITED_APP, user);
    expect(others).toEqual([]);
    expect(row).toMatchObject({ endpoint: `POST /users/${user}/terminate_connections`, status: 200, ip: CLIENT_IP });
    expect(JSON.parse(row?.details ?? "")).toEqual({ user_id: user });
  });

  it.each([
    {
      what: "a bad signature",
      app: APP_A,
      options: { secret: "not-the-secret-0123456789" },
      status: 401,
      reason: "Invalid signature",
    },
    {
      what: "an expired timestamp",
      app: APP_B,
      options: { timestamp: Math.floor(Date.now() / 1000) - 3600 },
      status: 401,
      reason: "Timestamp expired",
    },
  ])(
    "records a call refused for $what, with the key it claimed and no signature",
    async ({ app, options, status, reason }) => {
      const body = { name: "refused", channel: unique("audit-refused-"), data: "{}" };
      const response = await auditedCall(app, "POST", "/events", { ...options, body });
      expect(response.status).toBe(status);
      const recorder = refusalRecorder(app);
      expect(await waiting(recorder)).toBe(1);
      await flush(recorder);
      const [row, ...others] = await rowsOf(app);
      expect(others).toEqual([]);
      expect(row).toMatchObject({
        endpoint: "POST /events",
        status,
        key: app.key,
        ip: CLIENT_IP,
        user_agent: USER_AGENT,
      });
      expect(JSON.parse(row?.details ?? "")).toEqual({ reason });
      const signature = new URL(response.url, "http://sower.test").searchParams.get("auth_signature") ?? "";
      expect(JSON.stringify(row)).not.toContain(signature);
    },
  );

  it("records a call refused for data over the app's limit", async () => {
    const body = { name: "big", channel: unique("audit-big-"), data: "x".repeat(600) };
    const response = await auditedCall(TIGHT_APP, "POST", "/events", { body });
    expect(response.status).toBe(413);
    await flush(refusalRecorder(TIGHT_APP));
    const [row, ...others] = await rowsOf(TIGHT_APP);
    expect(others).toEqual([]);
    expect(row).toMatchObject({ endpoint: "POST /events", status: 413, key: TIGHT_APP.key });
    expect(JSON.parse(row?.details ?? "").reason).toContain("Event data is 600 bytes");
  });

  it("records calls over the per-second limit with 429, each in the step that refused it", async () => {
    const channel = unique("audit-limited-");
    const statuses: number[] = [];
    for (let index = 0; index < 6; index++) {
      const body = { name: "burst", channel, data: String(index) };
      statuses.push((await auditedCall(LIMITED_APP, "POST", "/events", { body })).status);
    }
    expect(statuses).toContain(429);
    await flush(refusalRecorder(LIMITED_APP));
    expect((await rowsOf(LIMITED_APP)).map((row) => row.status)).toEqual(statuses);
  });

  it("records dashboard logins, failed and successful, and what the dashboard publishes", async () => {
    const channel = unique("audit-dashboard-");
    const { failedLogin, published } = await useDashboard(AUDITED_APP, channel);
    expect(failedLogin).toBe(401);
    expect(published).toBe(200);
    await flush(refusalRecorder(AUDITED_APP));
    await flush(recorderOf(AUDITED_APP, channel));

    const logins = (await rowsOf(AUDITED_APP)).filter((row) => row.endpoint === "dashboard login");
    expect(logins.map((row) => ({ status: row.status, key: row.key, details: JSON.parse(row.details) }))).toEqual([
      { status: 401, key: AUDITED_APP.key, details: { as: "app", reason: "Wrong credentials" } },
      { status: 200, key: AUDITED_APP.key, details: { as: "app" } },
    ]);
    expect(logins[0]?.ip).toBe(CLIENT_IP);
    expect(JSON.stringify(logins)).not.toContain(AUDITED_APP.secret);
    const [publish] = await rowsAbout(AUDITED_APP, channel);
    expect(publish).toMatchObject({
      endpoint: "dashboard POST /events",
      status: 200,
      key: AUDITED_APP.key,
      ip: CLIENT_IP,
    });
  });
});

describe("an app with audit off", () => {
  it("answers every call as before and records none of them, refused or not, from the REST API or the dashboard", async () => {
    const channel = unique("unaudited-");
    const user = unique("unaudited-user-");
    const triggered = await auditedCall(UNAUDITED_APP, "POST", "/events", {
      body: { name: "quiet", channel, data: "{}" },
    });
    expect(triggered.status).toBe(200);
    const terminated = await auditedCall(UNAUDITED_APP, "POST", `/users/${user}/terminate_connections`, { body: {} });
    expect(terminated.status).toBe(200);
    const forged = await auditedCall(UNAUDITED_APP, "POST", "/events", {
      body: { name: "forged", channel, data: "{}" },
      secret: "not-the-secret-0123456789",
    });
    expect(forged.status).toBe(401);
    const { failedLogin, published } = await useDashboard(UNAUDITED_APP, channel);
    expect(failedLogin).toBe(401);
    expect(published).toBe(200);

    const recorders = [
      recorderOf(UNAUDITED_APP, channel),
      userRecorder(UNAUDITED_APP, user),
      refusalRecorder(UNAUDITED_APP),
    ];
    for (const recorder of recorders) {
      expect(await waiting(recorder)).toBe(0);
      await flush(recorder);
    }
    expect(await rowsOf(UNAUDITED_APP)).toEqual([]);

    const read = await readAudit(UNAUDITED_APP);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ entries: [], recording: false });
    expect((await readAudit(AUDITED_APP)).body).toMatchObject({ recording: true });
  });
});

describe("getting entries to D1", () => {
  it("keeps entries in the outbox while D1 refuses them and through an eviction, then writes each once", async () => {
    const channel = unique("audit-outage-");
    const recorder = recorderOf(AUDITED_APP, channel);
    await env.AUDIT_DB.exec("ALTER TABLE audit_entries RENAME TO audit_entries_away");
    try {
      // The trigger is answered as usual: nothing on its path waits for D1.
      expect((await trigger(channel)).status).toBe(200);
      const errors = await linesLogged("error", async () => {
        await flush(recorder);
        await flush(recorder);
      });
      // Once per outage, however many attempts fail.
      expect(errors.map((line) => line.message)).toEqual([
        "audit entries could not be written to D1; they wait in the outbox",
      ]);
      expect(await waiting(recorder)).toBe(1);
      await evict(recorder);
      expect(await waiting(recorder)).toBe(1);
    } finally {
      await env.AUDIT_DB.exec("ALTER TABLE audit_entries_away RENAME TO audit_entries");
    }
    await flush(recorder);
    expect(await waiting(recorder)).toBe(0);
    expect(await rowsAbout(AUDITED_APP, channel)).toHaveLength(1);
    expect((await readAudit(AUDITED_APP)).body.chain).toMatchObject({ verified: true });
  });

  it("writes a batch again without duplicating it when D1 took it but the object lost the acknowledgement", async () => {
    const channel = unique("audit-replay-");
    const recorder = recorderOf(AUDITED_APP, channel);
    expect((await trigger(channel, "1")).status).toBe(200);
    expect((await trigger(channel, "2")).status).toBe(200);
    const before = await outboxState(recorder);
    await flush(recorder);
    // As if the object had been evicted after D1 answered and before it deleted its rows.
    expect(await restoreOutbox(recorder, before)).toBe(2);
    // Written again by this flush, or by the alarm the restored rows set, whichever comes first.
    await evict(recorder);
    await flush(recorder);
    expect(await waiting(recorder)).toBe(0);
    expect(await rowsAbout(AUDITED_APP, channel)).toHaveLength(2);
    expect((await readAudit(AUDITED_APP)).body.chain).toMatchObject({ verified: true });
  });

  it("drops entries past its bound, counts them, and records the count before its next entry", async () => {
    const channel = unique("audit-bound-");
    const recorder = recorderOf(AUDITED_APP, channel);
    await recordedTriggers(channel, 1);
    // Fill the outbox to its bound, as a long D1 outage would; due in an hour, so no alarm takes them meanwhile.
    await runInDurableObject(recorder, (_instance: unknown, state) => {
      state.storage.sql.exec(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
         INSERT INTO audit_outbox (seq, time, endpoint, status, key, ip, user_agent, details)
         SELECT (SELECT head_seq FROM audit_stream) + i, ?, 'planted', 0, '', '', '', '{}' FROM n`,
        Date.now() + 60 * 60 * 1000,
      );
    });
    await evict(recorder);
    expect((await trigger(channel, "over")).status).toBe(200);
    const full = await runInDurableObject(recorder, (_instance: unknown, state) =>
      state.storage.sql.exec<{ dropped: number }>("SELECT dropped FROM audit_stream").one(),
    );
    expect(full.dropped).toBe(1);
    expect(await waiting(recorder)).toBe(10_000);
    // As if D1 had taken the waiting entries: the next entry first says what was lost.
    await runInDurableObject(recorder, (_instance: unknown, state) => {
      state.storage.sql.exec("DELETE FROM audit_outbox WHERE endpoint = 'planted'");
    });
    await evict(recorder);
    expect((await trigger(channel, "after")).status).toBe(200);
    await flush(recorder);
    const [first] = await rowsAbout(AUDITED_APP, channel);
    const stream = (await rowsOf(AUDITED_APP)).filter(
      (row) => row.stream === first?.stream && row.seq > (first?.seq ?? 0),
    );
    expect(stream.map((row) => row.endpoint)).toEqual(["audit entries dropped", "POST /events"]);
    expect(JSON.parse(stream[0]?.details ?? "")).toMatchObject({ dropped: 1, reason: "the audit outbox was full" });
    expect((await readAudit(AUDITED_APP)).body.chain).toMatchObject({ verified: true });
  });
});

describe("the hash chain", () => {
  it("verifies, and breaks at a row altered in D1", async () => {
    const rows = await recordedTriggers(unique("audit-alter-"), 3);
    const [, middle] = rows;
    if (middle === undefined) throw new Error("three entries expected");
    expect((await readAudit(AUDITED_APP)).body.chain).toMatchObject({ verified: true });
    await env.AUDIT_DB.prepare("UPDATE audit_entries SET details = ? WHERE id = ?")
      .bind('{"events":[]}', middle.id)
      .run();
    expect((await readAudit(AUDITED_APP)).body.chain).toMatchObject({
      verified: false,
      broken: { stream: middle.stream, seq: middle.seq, reason: "its content does not match its hash" },
    });
    await env.AUDIT_DB.prepare("UPDATE audit_entries SET details = ? WHERE id = ?")
      .bind(middle.details, middle.id)
      .run();
    expect((await readAudit(AUDITED_APP)).body.chain).toMatchObject({ verified: true });
  });

  it("breaks at a row deleted from D1, in the middle or at the end", async () => {
    const rows = await recordedTriggers(unique("audit-delete-"), 3);
    for (const deleted of [rows[1], rows[2]]) {
      if (deleted === undefined) throw new Error("three entries expected");
      await env.AUDIT_DB.prepare("DELETE FROM audit_entries WHERE id = ?").bind(deleted.id).run();
      const { chain } = (await readAudit(AUDITED_APP)).body;
      expect(chain).toMatchObject({ verified: false, broken: { stream: deleted.stream, seq: deleted.seq } });
      await putBack(deleted);
      expect((await readAudit(AUDITED_APP)).body.chain).toMatchObject({ verified: true });
    }
  });

  it("still verifies after retention removed a stream's oldest entries, from the anchor they left", async () => {
    const channel = unique("audit-retention-");
    const rows = await recordedTriggers(channel, 3);
    const [, second, third] = rows;
    if (second === undefined || third === undefined) throw new Error("three entries expected");
    const recorder = recorderOf(AUDITED_APP, channel);
    // Older than the 90 days wrangler.jsonc keeps: everything in the stream up to the second entry.
    const age = 100 * 24 * 60 * 60 * 1000;
    await env.AUDIT_DB.prepare("UPDATE audit_entries SET time = time - ? WHERE app_id = ? AND stream = ? AND seq <= ?")
      .bind(age, AUDITED_APP.id, second.stream, second.seq)
      .run();
    // A woken object prunes on its first flush.
    await evict(recorder);
    expect((await trigger(channel, "later")).status).toBe(200);
    await flush(recorder);
    const left = await rowsAbout(AUDITED_APP, channel);
    expect(left.map((row) => row.seq)).toEqual([third.seq, third.seq + 1]);
    const anchor = await env.AUDIT_DB.prepare("SELECT seq, hash FROM audit_anchors WHERE app_id = ? AND stream = ?")
      .bind(AUDITED_APP.id, second.stream)
      .first();
    expect(anchor).toEqual({ seq: second.seq, hash: second.hash });
    expect((await readAudit(AUDITED_APP)).body.chain).toMatchObject({ verified: true });
  });
});

describe("GET /apps/{id}/audit", () => {
  it("pages through every entry once, backwards and forwards", async () => {
    await recordedTriggers(unique("audit-pages-"), 3);
    const all = (await rowsOf(AUDITED_APP)).map((row) => row.id).sort((a, b) => a - b);
    expect(all.length).toBeGreaterThan(3);
    for (const direction of ["backwards", "forwards"]) {
      const seen: number[] = [];
      let cursor: string | null = null;
      do {
        const params: Record<string, string> = { limit: "2", direction, verify: "false" };
        if (cursor !== null) params.cursor = cursor;
        const { status, body } = await readAudit(AUDITED_APP, params);
        expect(status).toBe(200);
        expect(body.chain).toBeNull();
        seen.push(...body.entries.map((entry: { id: number }) => entry.id));
        cursor = body.next;
      } while (cursor !== null);
      expect(seen).toEqual(direction === "forwards" ? all : [...all].reverse());
    }
  });

  it("answers entries with their fields, details as JSON, and filters by time", async () => {
    const channel = unique("audit-fields-");
    const [row] = await recordedTriggers(channel, 1);
    if (row === undefined) throw new Error("one entry expected");
    const { body } = await readAudit(AUDITED_APP, { start: String(row.time), end: String(row.time), verify: "false" });
    const entry = body.entries.find((candidate: { id: number }) => candidate.id === row.id);
    expect(entry).toEqual({
      id: row.id,
      time: row.time,
      stream: row.stream,
      seq: row.seq,
      endpoint: "POST /events",
      status: 200,
      key: AUDITED_APP.key,
      ip: CLIENT_IP,
      user_agent: USER_AGENT,
      details: JSON.parse(row.details),
      prev_hash: row.prev_hash,
      hash: row.hash,
    });
    const later = await readAudit(AUDITED_APP, { start: String(row.time + 60_000), verify: "false" });
    expect(later.body.entries).toEqual([]);
  });

  it.each([
    [{ limit: "0" }, "limit must be from 1 to 1000"],
    [{ limit: "1001" }, "limit must be from 1 to 1000"],
    [{ direction: "sideways" }, 'direction must be "backwards" or "forwards"'],
    [{ start: "yesterday" }, "start must be a whole number of Unix milliseconds"],
    [{ start: "2000", end: "1000" }, "start must not be after end"],
    [{ cursor: "abc" }, "cursor is not one this endpoint returned as next"],
    [{ verify: "maybe" }, 'verify must be "true" or "false"'],
  ])("refuses %o with 400", async (params, message) => {
    const { status, text } = await readAudit(AUDITED_APP, params);
    expect({ status, text }).toEqual({ status: 400, text: expect.stringContaining(message) });
  });

  it("is signed like every REST call", async () => {
    const response = await auditedCall(AUDITED_APP, "GET", "/audit", { secret: "not-the-secret-0123456789" });
    expect(response.status).toBe(401);
  });
});

type OutboxSnapshot = { rows: Record<string, SqlStorageValue>[]; stream: Record<string, SqlStorageValue> };

function outboxState(recorder: Recorder): Promise<OutboxSnapshot> {
  return runInDurableObject(recorder, (_instance: unknown, state) => ({
    rows: state.storage.sql.exec("SELECT * FROM audit_outbox ORDER BY seq").toArray(),
    stream: state.storage.sql.exec("SELECT * FROM audit_stream").one(),
  }));
}

/** Puts the outbox back as it was; answers how many entries wait again. */
function restoreOutbox(recorder: Recorder, snapshot: OutboxSnapshot): Promise<number> {
  return runInDurableObject(recorder, async (_instance: unknown, state) => {
    for (const row of snapshot.rows) {
      const columns = Object.keys(row);
      state.storage.sql.exec(
        `INSERT INTO audit_outbox (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
        ...Object.values(row),
      );
    }
    const { head_seq: seq, head_hash: hash } = snapshot.stream;
    state.storage.sql.exec("UPDATE audit_stream SET head_seq = ?, head_hash = ?", seq ?? 0, hash ?? "");
    // The runtime retries an alarm whose object went mid-run; this is that retry.
    await state.storage.setAlarm(Date.now());
    return state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM audit_outbox").one().n;
  });
}

async function putBack(row: AuditRow): Promise<void> {
  const columns = Object.keys(row);
  await env.AUDIT_DB.prepare(
    `INSERT INTO audit_entries (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
  )
    .bind(...Object.values(row))
    .run();
}
