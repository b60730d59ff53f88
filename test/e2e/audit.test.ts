import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type Pusher from "pusher";
import { describe, expect, inject, it, vi } from "vitest";
import { SnippetFolder } from "../browser/support/node-snippets";
import { snippet } from "../browser/support/snippets";
import { backend, client, connected, disconnectAfterEach, once, subscribed, uniqueName } from "./support/clients";

const track = disconnectAfterEach();

interface AuditEntry {
  endpoint: string;
  status: number;
  key: string;
  details: {
    events?: Array<{ name: string; channels: string[]; data_bytes: number; data_sha256: string }>;
    statuses?: Record<string, number>;
  };
}

interface AuditPage {
  entries: Array<AuditEntry & Record<string, unknown>>;
  next: string | null;
  chain: { verified: boolean; streams: number; entries: number } | null;
}

async function auditPage(sdk: Pusher, params: Record<string, string> = {}): Promise<AuditPage> {
  const response = await sdk.get({ path: "/audit", params });
  const page: unknown = await response.json();
  if (!isAuditPage(page)) throw new Error(`GET /audit answered ${JSON.stringify(page)}`);
  return page;
}

function isAuditPage(value: unknown): value is AuditPage {
  return typeof value === "object" && value !== null && "entries" in value && Array.isArray(value.entries);
}

/**
 * Reads GET /audit until `matches` finds an entry: entries reach D1 on the
 * recording object's alarm, about a second after the call.
 */
async function awaitEntry(sdk: Pusher, matches: (entry: AuditEntry) => boolean): Promise<AuditPage> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const page = await auditPage(sdk, { limit: "1000" });
    if (page.entries.some(matches)) return page;
    if (Date.now() > deadline) throw new Error("the entry did not reach the audit log within 15 s");
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe("the audit log through the pusher SDK against wrangler dev", () => {
  it("records a trigger the subscriber received, and GET /audit shows it with a verified chain", async () => {
    const channel = uniqueName("audit-e2e-");
    const pusher = track(client());
    await connected(pusher);
    const subscription = await subscribed(pusher, channel);
    const received = once(subscription, "audited");
    const sdk = backend();
    const data = { order: 42, state: "shipped" };
    await sdk.trigger(channel, "audited", data);
    expect(await received).toEqual(data);

    const page = await awaitEntry(sdk, (entry) => entry.details.events?.[0]?.channels.includes(channel) ?? false);
    const entry = page.entries.find((candidate) => candidate.details.events?.[0]?.channels.includes(channel));
    const json = JSON.stringify(data);
    expect(entry).toMatchObject({
      endpoint: "POST /events",
      status: 200,
      key: inject("sower").key,
      details: {
        events: [
          {
            name: "audited",
            channels: [channel],
            data_bytes: Buffer.byteLength(json),
            data_sha256: createHash("sha256").update(json).digest("hex"),
          },
        ],
      },
    });
    expect(page.chain).toMatchObject({ verified: true });
    expect(JSON.stringify(page)).not.toContain(inject("sower").secret);
  });

  it("records a trigger refused for its signature", async () => {
    const forger = backend(inject("sower"), { secret: "not-the-secret-0123456789abcdef" });
    const channel = uniqueName("audit-forged-");
    await expect(forger.trigger(channel, "forged", {})).rejects.toMatchObject({ status: 401 });
    // Recorded in full if it is the first refusal of its window, or counted in the window's summary (docs/audit.md).
    const page = await awaitEntry(
      backend(),
      (entry) =>
        (entry.status === 401 && entry.endpoint === "POST /events") ||
        (entry.endpoint === "refused calls" && (entry.details.statuses?.["401"] ?? 0) > 0),
    );
    expect(page.chain).toMatchObject({ verified: true });
  });

  it("answers a bad parameter with 400 and a message", async () => {
    await expect(backend().get({ path: "/audit", params: { direction: "sideways" } })).rejects.toMatchObject({
      status: 400,
      body: expect.stringContaining('direction must be "backwards" or "forwards"'),
    });
  });
});

/** The app's entries as D1 stores them (details as its JSON text), as `wrangler d1 execute --json` exports them. */
async function exportedRows(): Promise<Array<Record<string, unknown>>> {
  const page = await auditPage(backend(), { limit: "1000", direction: "forwards", verify: "false" });
  return page.entries.map((entry) => ({
    ...entry,
    app_id: inject("sower").appId,
    details: JSON.stringify(entry.details),
  }));
}

describe("docs/audit.md", () => {
  it("shows an answer of GET /audit with the fields the endpoint answers", async () => {
    const sdk = backend();
    await sdk.trigger(uniqueName("audit-doc-"), "documented", {});
    const real = await awaitEntry(sdk, (entry) => entry.endpoint === "POST /events");
    const shown: unknown = JSON.parse(snippet("audit-page"));
    if (!isAuditPage(shown)) throw new Error("the snippet is no page of GET /audit");
    expect(Object.keys(shown).sort()).toEqual(Object.keys(real).sort());
    expect(Object.keys(shown.entries[0] ?? {}).sort()).toEqual(Object.keys(real.entries[0] ?? {}).sort());
  });

  it("checks links and gaps with its SQL, which finds nothing in an intact log and the row after a break", async () => {
    const sdk = backend();
    const channel = uniqueName("audit-links-");
    for (const name of ["first", "second"]) await sdk.trigger(channel, name, {});
    await awaitEntry(
      sdk,
      (entry) => entry.details.events?.[0]?.name === "second" && entry.details.events[0].channels.includes(channel),
    );
    // One stream's entries: those of the object that recorded this channel's triggers.
    const all = await exportedRows();
    const stream = all.find((row) => String(row.details).includes(channel))?.stream;
    const rows = all.filter((row) => row.stream === stream);
    expect(rows.length).toBeGreaterThan(1);
    const database = new DatabaseSync(":memory:");
    database.exec(readFileSync(join(import.meta.dirname, "../../migrations/audit/0001_audit_log.sql"), "utf8"));
    const columns = Object.keys(rows[0] ?? {}).filter((column) => column !== "id");
    const insert = database.prepare(
      `INSERT INTO audit_entries (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
    );
    for (const row of rows) insert.run(...columns.map((column) => sqlValue(row[column])));
    const links = snippet("audit-links", { "'my-app'": `'${inject("sower").appId}'` });
    expect(database.prepare(links).all()).toEqual([]);
    const [, second] = rows;
    database.prepare("UPDATE audit_entries SET prev_hash = 'forged' WHERE seq = ?").run(sqlValue(second?.seq));
    expect(database.prepare(links).all()).toEqual([{ stream: second?.stream, seq: second?.seq }]);
  });

  it("recomputes each hash with its Node snippet, which reports an altered entry and nothing else", async () => {
    const rows = await exportedRows();
    const folder = new SnippetFolder();
    const logged = vi.spyOn(console, "log").mockImplementation(() => undefined);
    try {
      const exported = folder.write("entries.json", JSON.stringify([{ results: rows, success: true }]));
      const check = snippet("audit-hashes", { '"entries.json"': JSON.stringify(exported) });
      await folder.run("verify-intact.js", check);
      expect(logged).not.toHaveBeenCalled();
      const [first] = rows;
      folder.write("entries.json", JSON.stringify([{ results: [{ ...first, status: 500 }], success: true }]));
      await folder.run("verify-altered.js", check);
      expect(logged).toHaveBeenCalledWith(`stream ${first?.stream} entry ${first?.seq} was altered`);
    } finally {
      logged.mockRestore();
      folder.remove();
    }
  });
});

function sqlValue(value: unknown): string | number | null {
  return typeof value === "string" || typeof value === "number" ? value : null;
}
