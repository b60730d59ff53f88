import { createHash } from "node:crypto";
import type Pusher from "pusher";
import { describe, expect, inject, it } from "vitest";
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
  entries: AuditEntry[];
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
