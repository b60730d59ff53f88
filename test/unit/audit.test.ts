import { describe, expect, it } from "vitest";
import { chain, verifyRun } from "../../src/audit/chain";
import { type AuditEntry, type AuditRequest, GENESIS } from "../../src/audit/entry";
import { RefusalRecorder } from "../../src/audit/refusals";
import { DEFAULT_AUDIT_RETENTION_DAYS, readAuditRetentionDays } from "../../src/config/audit";

function refusal(ip: string, status = 401): AuditRequest {
  return { endpoint: "POST /events", key: "k", ip, userAgent: "sdk", details: { reason: "Invalid signature" }, status };
}

function sentTo() {
  const sends: AuditRequest[][] = [];
  return { sends, send: async (requests: AuditRequest[]) => void sends.push(requests) };
}

describe("RefusalRecorder", () => {
  it("sends a window's first refusal in full and only counts the rest", async () => {
    const recorder = new RefusalRecorder(10_000);
    const { sends, send } = sentTo();
    await recorder.refused("app", refusal("192.0.2.1"), send, 1000);
    await recorder.refused("app", refusal("192.0.2.2"), send, 2000);
    await recorder.refused("app", refusal("192.0.2.2", 413), send, 3000);
    expect(sends).toEqual([[refusal("192.0.2.1")]]);
  });

  it("sends the closed window's count with the next refusal after it, which opens a new window", async () => {
    const recorder = new RefusalRecorder(10_000);
    const { sends, send } = sentTo();
    await recorder.refused("app", refusal("192.0.2.1"), send, 1000);
    await recorder.refused("app", refusal("192.0.2.2"), send, 2000);
    await recorder.refused("app", refusal("192.0.2.3", 413), send, 3000);
    await recorder.refused("app", refusal("192.0.2.4"), send, 11_000);
    expect(sends[1]).toEqual([
      {
        endpoint: "refused calls",
        key: "",
        ip: "",
        userAgent: "",
        status: 0,
        details: {
          count: 2,
          from: 1000,
          to: 11_000,
          statuses: { 401: 1, 413: 1 },
          endpoints: { "POST /events": 2 },
          addresses: ["192.0.2.2", "192.0.2.3"],
        },
      },
      refusal("192.0.2.4"),
    ]);
    await recorder.refused("app", refusal("192.0.2.5"), send, 12_000);
    expect(sends).toHaveLength(2);
  });

  it("settles a closed window that counted something, and nothing otherwise", async () => {
    const recorder = new RefusalRecorder(10_000);
    const { sends, send } = sentTo();
    await recorder.refused("quiet", refusal("192.0.2.1"), send, 1000);
    expect(recorder.settle("quiet", send, 20_000)).toBeUndefined();
    await recorder.refused("busy", refusal("192.0.2.1"), send, 1000);
    await recorder.refused("busy", refusal("192.0.2.2"), send, 1500);
    expect(recorder.settle("busy", send, 5000)).toBeUndefined();
    await recorder.settle("busy", send, 20_000);
    expect(sends.at(-1)?.[0]).toMatchObject({ endpoint: "refused calls", details: { count: 1 } });
    expect(recorder.settle("busy", send, 30_000)).toBeUndefined();
  });

  it("keeps at most 10 distinct endpoints and addresses in a summary, counting the rest", async () => {
    const recorder = new RefusalRecorder(10_000);
    const { sends, send } = sentTo();
    await recorder.refused("app", refusal("192.0.2.0"), send, 1000);
    for (let index = 1; index <= 12; index++) {
      const request = { ...refusal(`192.0.2.${index}`), endpoint: `GET /channels/c${index}` };
      await recorder.refused("app", request, send, 1000 + index);
    }
    await recorder.refused("app", refusal("192.0.2.99"), send, 20_000);
    const details = sends[1]?.[0]?.details;
    expect(details).toMatchObject({ count: 12, endpoints: { other: 2 } });
    expect(Object.keys(Object(details?.endpoints))).toHaveLength(11);
    expect(details?.addresses).toHaveLength(10);
  });

  it("keeps apps apart, and answers a refusal whose recording failed as if it had not", async () => {
    const recorder = new RefusalRecorder(10_000);
    const failing = async () => {
      throw new Error("object unreachable");
    };
    await expect(recorder.refused("one", refusal("192.0.2.1"), failing, 1000)).resolves.toBeUndefined();
    const { sends, send } = sentTo();
    await recorder.refused("two", refusal("192.0.2.1"), send, 1000);
    expect(sends).toHaveLength(1);
  });
});

function entries(count: number): AuditEntry[] {
  return Array.from({ length: count }, (_, index) => ({
    seq: index + 1,
    time: 1000 + index,
    endpoint: "POST /events",
    status: 200,
    key: "k",
    ip: "192.0.2.1",
    userAgent: "sdk",
    details: `{"n":${index}}`,
  }));
}

describe("the hash chain", () => {
  it("links each entry to the one before, the same way every time", async () => {
    const linked = await chain("app", "stream", GENESIS, entries(3));
    expect(linked[0]?.prevHash).toBe(GENESIS.hash);
    expect(linked[1]?.prevHash).toBe(linked[0]?.hash);
    expect(linked[2]?.prevHash).toBe(linked[1]?.hash);
    expect(await chain("app", "stream", GENESIS, entries(3))).toEqual(linked);
    expect(await verifyRun("stream", GENESIS, linked)).toEqual({
      ok: true,
      last: { seq: 3, hash: linked[2]?.hash },
    });
  });

  it("breaks at an altered entry, a missing one, and a link that does not match", async () => {
    const linked = await chain("app", "stream", GENESIS, entries(3));
    const [first, second, third] = linked;
    if (first === undefined || second === undefined || third === undefined) throw new Error("three entries");
    expect(await verifyRun("stream", GENESIS, [first, { ...second, status: 500 }, third])).toEqual({
      ok: false,
      broken: { stream: "stream", seq: 2, reason: "its content does not match its hash" },
    });
    expect(await verifyRun("stream", GENESIS, [first, third])).toEqual({
      ok: false,
      broken: { stream: "stream", seq: 2, reason: "entry 2 is missing" },
    });
    const relinked = await chain("app", "stream", { seq: 1, hash: "f".repeat(64) }, entries(2).slice(1));
    expect(await verifyRun("stream", GENESIS, [first, ...relinked])).toEqual({
      ok: false,
      broken: { stream: "stream", seq: 2, reason: "its prev_hash is not the hash of the entry before it" },
    });
  });

  it("continues from an anchor left by retention", async () => {
    const linked = await chain("app", "stream", GENESIS, entries(3));
    const [first, ...rest] = linked;
    if (first === undefined) throw new Error("three entries");
    expect(await verifyRun("stream", { seq: first.seq, hash: first.hash }, rest)).toMatchObject({ ok: true });
  });
});

describe("AUDIT_RETENTION_DAYS", () => {
  it("defaults when unset or blank, and takes a whole number of days from 1 to 3650", () => {
    expect(readAuditRetentionDays({})).toEqual({ ok: true, value: DEFAULT_AUDIT_RETENTION_DAYS });
    expect(readAuditRetentionDays({ AUDIT_RETENTION_DAYS: " " })).toEqual({ ok: true, value: 90 });
    expect(readAuditRetentionDays({ AUDIT_RETENTION_DAYS: "7" })).toEqual({ ok: true, value: 7 });
    expect(readAuditRetentionDays({ AUDIT_RETENTION_DAYS: "3650" })).toEqual({ ok: true, value: 3650 });
  });

  it.each(["0", "3651", "7.5", "-1", "seven"])("refuses %s, naming the setting", (value) => {
    const read = readAuditRetentionDays({ AUDIT_RETENTION_DAYS: value });
    expect(read).toMatchObject({
      ok: false,
      error: expect.stringContaining("AUDIT_RETENTION_DAYS must be a whole number"),
    });
  });
});
