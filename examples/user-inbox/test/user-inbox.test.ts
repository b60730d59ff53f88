import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "../../../test/e2e/support/server.ts";
import { backendSdk, type SowerConnection } from "../../shared/sower.ts";
import { createInboxBackend, type InboxBackend } from "../src/backend.ts";
import { type Device, type DeviceOptions, startDevice } from "../src/device.ts";
import type { Envelope } from "../src/envelope.ts";
import { listenOnLoopback } from "../src/http.ts";
import { signJwt } from "../src/jwt.ts";

const JWT_SECRET = randomBytes(32).toString("hex");

let sower: SowerConnection;
let stopSower: () => Promise<void>;
let backend: InboxBackend;
let backendUrl: string;

beforeAll(async () => {
  const local = await startServer();
  sower = { ...local.info, useTLS: false };
  stopSower = local.stop;
  backend = createInboxBackend({ pusher: backendSdk(sower), jwtSecret: JWT_SECRET });
  backendUrl = await listenOnLoopback(backend.server);
});

afterAll(async () => {
  backend?.server.close();
  await stopSower?.();
});

const devices: Device[] = [];
afterEach(() => {
  for (const device of devices.splice(0)) device.stop();
});

let users = 0;
function newUser(name: string): string {
  users += 1;
  return `${name}-${process.pid}-${users}`;
}

function token(user: string, secret = JWT_SECRET, expiresIn = 600): string {
  return signJwt({ sub: user, exp: Math.floor(Date.now() / 1000) + expiresIn }, secret);
}

/** A device of `user` that records what its app handled; resolves once it can receive. */
async function device(user: string, options: Partial<DeviceOptions> & { name: string }) {
  const handled: Envelope[] = [];
  const started = startDevice({
    sower,
    backendUrl,
    token: token(user),
    handle: (envelope) => {
      handled.push(envelope);
      return { seenBy: options.name, order: envelope.body };
    },
    ...options,
  });
  devices.push(started);
  await started.ready;
  return { handled, socketId: started.pusher.connection.socket_id };
}

describe("an envelope to every device of one user", () => {
  it("reaches all three devices, and the sender gets each one's answer", async () => {
    const alice = newUser("alice");
    const phone = await device(alice, { name: "phone" });
    const laptop = await device(alice, { name: "laptop" });
    const tablet = await device(alice, { name: "tablet" });

    const result = await backend.send(alice, { fields: { kind: "order" }, body: 42 });

    expect(result).toMatchObject({ user: alice, devices: 3, reached: 3, filtered: 0, timedOut: 0 });
    expect(sortByDevice(result.answers)).toEqual([
      { device: "laptop", socketId: laptop.socketId, outcome: "handled", result: { seenBy: "laptop", order: 42 } },
      { device: "phone", socketId: phone.socketId, outcome: "handled", result: { seenBy: "phone", order: 42 } },
      { device: "tablet", socketId: tablet.socketId, outcome: "handled", result: { seenBy: "tablet", order: 42 } },
    ]);
    for (const { handled } of [phone, laptop, tablet]) {
      expect(handled).toEqual([{ id: result.id, fields: { kind: "order" }, body: 42 }]);
    }
  });

  it("keeps an envelope from a device whose filter does not match, and says so", async () => {
    const alice = newUser("alice");
    const phone = await device(alice, { name: "phone", filter: { kind: "order" } });
    const watch = await device(alice, { name: "watch", filter: { kind: "order", priority: "high" } });
    const laptop = await device(alice, { name: "laptop", filter: { kind: "chat" } });

    const result = await backend.send(alice, { fields: { kind: "order", priority: "high" }, body: 7 });

    expect(result).toMatchObject({ devices: 3, reached: 2, filtered: 1, timedOut: 0 });
    expect(sortByDevice(result.answers).map(({ device, outcome }) => [device, outcome])).toEqual([
      ["laptop", "filtered"],
      ["phone", "handled"],
      ["watch", "handled"],
    ]);
    expect(laptop.handled).toEqual([]);
    expect(phone.handled).toHaveLength(1);
    expect(watch.handled).toHaveLength(1);

    // Exact match: the number 1 is not the string "1", and a missing field never matches.
    const low = await backend.send(alice, { fields: { kind: "order", priority: 1 }, body: 8 });
    expect(low).toMatchObject({ devices: 3, reached: 1, filtered: 2 });
    expect(watch.handled).toHaveLength(1);
  });

  it("reports a device that never answers as timed out after 5 s", async () => {
    const alice = newUser("alice");
    await device(alice, { name: "phone" });
    await device(alice, { name: "laptop" });
    // Its app hangs on the envelope, so it never answers.
    await device(alice, { name: "frozen", handle: () => new Promise(() => {}) });

    const started = Date.now();
    const result = await backend.send(alice, { fields: {}, body: "ping" });

    expect(Date.now() - started).toBeGreaterThanOrEqual(5000);
    expect(result).toMatchObject({ devices: 3, reached: 2, filtered: 0, timedOut: 1 });
    expect(result.answers.map((answer) => answer.device).sort()).toEqual(["laptop", "phone"]);
  }, 20_000);

  it("never reaches another user's devices", async () => {
    const alice = newUser("alice");
    const bob = newUser("bob");
    await device(alice, { name: "phone" });
    const bobsPhone = await device(bob, { name: "phone" });

    const forAlice = await backend.send(alice, { fields: {}, body: "for alice" });
    // Sent after Alice's envelope on the same Sower, so a misrouted one would have arrived first.
    const forBob = await backend.send(bob, { fields: {}, body: "for bob" });

    expect(forAlice).toMatchObject({ devices: 1, reached: 1 });
    expect(forBob).toMatchObject({ devices: 1, reached: 1 });
    expect(bobsPhone.handled.map((envelope) => envelope.body)).toEqual(["for bob"]);
  });

  it("passes on the error of a device whose app failed on the envelope", async () => {
    const alice = newUser("alice");
    await device(alice, { name: "phone" });
    await device(alice, {
      name: "kiosk",
      handle: () => {
        throw new Error("printer out of paper");
      },
    });

    const result = await backend.send(alice, { fields: {}, body: "receipt" });

    expect(result).toMatchObject({ devices: 2, reached: 2, filtered: 0, timedOut: 0 });
    expect(result.answers.find((answer) => answer.device === "kiosk")).toMatchObject({
      outcome: "failed",
      error: "printer out of paper",
    });
  });

  it("answers at once, with no devices, for a user who is not connected", async () => {
    const result = await backend.send(newUser("nobody"), { fields: {}, body: 1 });
    expect(result).toMatchObject({ devices: 0, reached: 0, timedOut: 0, answers: [] });
  });
});

describe("the app's JWT guards sign-in and answers", () => {
  it("refuses a device whose token is bad, which then receives nothing", async () => {
    const mallory = newUser("mallory");
    const forged = startDevice({
      sower,
      backendUrl,
      token: token(mallory, "not-the-app-secret"),
      name: "forged",
      handle: () => "should never run",
    });
    devices.push(forged);
    await expect(forged.ready).rejects.toThrow("sign-in refused (401)");
    expect(await backend.countDevices(mallory)).toBe(0);
  });

  it("answers 401 with the reason for every kind of bad token", async () => {
    const user = newUser("eve");
    const noneHeader = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
    const claims = Buffer.from(JSON.stringify({ sub: user, exp: Date.now() / 1000 + 600 })).toString("base64url");
    const cases: Array<[string | undefined, string]> = [
      [undefined, "Authorization: Bearer <token> required"],
      ["not-a-jwt", "invalid token: not a JWT"],
      [token(user, "another-secret"), "invalid token: bad signature"],
      [token(user, JWT_SECRET, -1), "invalid token: expired"],
      [`${noneHeader}.${claims}.`, "invalid token: algorithm must be HS256"],
      [signJwt({ sub: "", exp: Date.now() / 1000 + 600 }, JWT_SECRET), "invalid token: no subject"],
    ];
    for (const [bad, error] of cases) {
      const headers: Record<string, string> = { "Content-Type": "application/x-www-form-urlencoded" };
      if (bad !== undefined) headers.Authorization = `Bearer ${bad}`;
      const reply = await fetch(`${backendUrl}/pusher/user-auth`, { method: "POST", headers, body: "socket_id=1.2" });
      expect({ status: reply.status, body: await reply.json() }).toEqual({ status: 401, body: { error } });
    }
  });

  it("refuses an answer for another user's delivery", async () => {
    const alice = newUser("alice");
    const seen: Envelope[] = [];
    let envelopeArrived: () => void = () => {};
    const arrived = new Promise<void>((resolve) => {
      envelopeArrived = resolve;
    });
    await device(alice, {
      name: "frozen",
      handle: (envelope) => {
        seen.push(envelope);
        envelopeArrived();
        return new Promise(() => {});
      },
    });
    const waiting = backend.send(alice, { fields: {}, body: 1 });
    await arrived;

    // Eve has a valid token of her own and Alice's envelope id, and still cannot answer for Alice.
    const reply = await fetch(`${backendUrl}/acks`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token(newUser("eve"))}`, "Content-Type": "application/json" },
      body: JSON.stringify({ delivery: seen[0]?.id, socket_id: "1.2", device: "spoof", outcome: "filtered" }),
    });
    expect(reply.status).toBe(404);
    expect(await waiting).toMatchObject({ devices: 1, timedOut: 1, answers: [] });
  }, 20_000);
});

function sortByDevice<T extends { device: string }>(answers: T[]): T[] {
  return [...answers].sort((a, b) => a.device.localeCompare(b.device));
}
