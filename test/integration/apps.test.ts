import { evictDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { signToken } from "../../src/auth/signatures";
import { connectApp, openAppSocket, subscribeApp } from "./support/app-sockets";
import { APP_A, APP_B, CAPPED_APP, DISABLED_APP, ORIGINS_APP, TEST_APPS } from "./support/apps";
import { unique } from "./support/channels";
import { hibernate } from "./support/eviction";
import { hibernateApp, holderOf } from "./support/objects";
import { expectRefused, type Frame, type TestSocket } from "./support/socket";

/** A third socket of CAPPED_APP is refused with 4100, and the two it holds are untouched. */
async function expectOverCapacity(first: TestSocket, second: TestSocket): Promise<void> {
  await expectRefused(
    await openAppSocket(CAPPED_APP.key),
    4100,
    "Over capacity: this app allows at most 2 connections",
  );
  await first.expectSilence();
  await second.expectSilence();
}

describe("/health", () => {
  it("answers from the Worker without waking any Beacon", async () => {
    const socket = await connectApp(APP_B.key);
    const beacon = await holderOf(socket.socketId, APP_B.id);
    // Control: evicting succeeds only while the Beacon runs, so the last check can fail.
    await hibernate(beacon);
    const response = await SELF.fetch("http://sower.test/health");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", apps: TEST_APPS.length });
    await expect(evictDurableObject(beacon)).rejects.toThrow();
    socket.ws.close(1000);
  });
});

describe("per-app refusals", () => {
  it("refuses a disabled app with 4003 while other apps keep working", async () => {
    const other = await connectApp(APP_A.key);
    await expectRefused(await openAppSocket(DISABLED_APP.key), 4003, "App is disabled");
    await other.expectSilence();
  });

  it("refuses an origin the app does not allow with 4009", async () => {
    const socket = await openAppSocket(ORIGINS_APP.key, { Origin: "https://evil.example.com" });
    await expectRefused(socket, 4009, "Origin not allowed for this app");
    const lookalike = await openAppSocket(ORIGINS_APP.key, { Origin: "https://app.example.com.evil.test" });
    await expectRefused(lookalike, 4009, "Origin not allowed for this app");
  });

  it("accepts allowed origins, wildcard subdomains and clients that send no Origin", async () => {
    await connectApp(ORIGINS_APP.key, { Origin: "https://app.example.com" });
    await connectApp(ORIGINS_APP.key, { Origin: "https://shop.example.org" });
    await connectApp(ORIGINS_APP.key);
    // Apps without a list accept any origin.
    await connectApp(APP_A.key, { Origin: "https://evil.example.com" });
  });

  it("refuses connections over max_connections with 4100, leaves the others open, and frees a slot on close", async () => {
    const first = await connectApp(CAPPED_APP.key);
    const second = await connectApp(CAPPED_APP.key);
    await expectOverCapacity(first, second);
    // Other apps are not capped by this app's limit.
    await connectApp(APP_A.key);
    first.ws.close(1000);
    const third = await connectWhenFreed(CAPPED_APP.key);
    await third.expectSilence();
    second.ws.close(1000);
    third.ws.close(1000);
  });
});

describe("max_connections after eviction", () => {
  it("still counts the hibernated sockets of an evicted Beacon", async () => {
    const first = await connectWhenFreed(CAPPED_APP.key);
    const second = await connectWhenFreed(CAPPED_APP.key);
    await hibernateApp(CAPPED_APP.id);
    await expectOverCapacity(first, second);
    first.ws.close(1000);
    second.ws.close(1000);
  });
});

describe("per-app client event limits", () => {
  async function pair(app: typeof APP_B) {
    const channel = unique("private-limits-");
    const sender = await connectApp(app.key);
    const receiver = await connectApp(app.key);
    for (const socket of [sender, receiver]) await subscribeApp(socket, app, channel);
    return { channel, sender, receiver };
  }

  it("refuses client event data over the app's max_event_payload_in_kb with 4301, keeping the socket", async () => {
    const { channel, sender, receiver } = await pair(APP_B);
    sender.send({ event: "client-big", channel, data: { text: "x".repeat(1100) } });
    expect(await sender.next()).toEqual({
      event: "pusher:error",
      data: { code: 4301, message: "Client event data is larger than 1024 bytes" },
    });
    await receiver.expectSilence();
    // The default limit (10 KB) of another app is untouched by this one's.
    const other = await pair(APP_A);
    other.sender.send({ event: "client-big", channel: other.channel, data: { text: "x".repeat(1100) } });
    expect((await other.receiver.next()).event).toBe("client-big");
    await sender.expectSilence();
  });

  it("refuses client events over the app's max_client_events_per_sec with 4301 and logs it once", async () => {
    const { channel, sender, receiver } = await pair(APP_B);
    const spy = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    try {
      for (let i = 0; i < 6; i++) sender.send({ event: "client-tick", channel, data: { i } });
      // A ping is answered after everything the six events caused on the sender: their refusals.
      sender.send({ event: "pusher:ping" });
      const refusals: Frame[] = [];
      for (let frame = await sender.next(); frame.event !== "pusher:pong"; frame = await sender.next()) {
        refusals.push(frame);
      }
      for (const refusal of refusals) {
        expect(refusal).toEqual({
          event: "pusher:error",
          data: { code: 4301, message: "Client event rate limit reached: at most 2 per second" },
        });
      }
      // Two per window; a burst straddling a window edge may get a second window's two.
      const relayed = 6 - refusals.length;
      expect(relayed).toBeGreaterThanOrEqual(2);
      expect(relayed).toBeLessThanOrEqual(4);
      for (let i = 0; i < relayed; i++) expect((await receiver.next()).event).toBe("client-tick");
      await receiver.expectSilence();
      const logged = spy.mock.calls
        .map(([line]) => JSON.parse(String(line)))
        .filter((line) => line.message === "client event rate limit reached");
      // Once per window, not once per refusal.
      expect(logged.length).toBeGreaterThanOrEqual(1);
      expect(logged.length).toBeLessThanOrEqual(2);
      expect(logged[0]).toEqual({
        level: "warn",
        message: "client event rate limit reached",
        app: APP_B.id,
        socket: sender.socketId,
        limit: 2,
      });
    } finally {
      spy.mockRestore();
    }
  });
});

/**
 * A close reaches the Beacon asynchronously (and on a sharded app, the app's
 * connection count after that): retry only while it answers 4100.
 */
async function connectWhenFreed(key: string) {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const socket = await openAppSocket(key);
    const frame = await socket.next();
    if (frame.event === "pusher:connection_established") return socket;
    expect(frame.data).toMatchObject({ code: 4100 });
    await socket.waitClosed();
  }
  throw new Error("the slot was never freed");
}

describe("isolation between apps", () => {
  it("keeps channels of the same name apart", async () => {
    const channel = unique("private-shared-");
    const a1 = await connectApp(APP_A.key);
    const a2 = await connectApp(APP_A.key);
    const b = await connectApp(APP_B.key);
    for (const [socket, app] of [
      [a1, APP_A],
      [a2, APP_A],
      [b, APP_B],
    ] as const) {
      expect((await subscribeApp(socket, app, channel)).channel).toBe(channel);
    }
    a1.send({ event: "client-hello", channel, data: { from: "a" } });
    expect(await a2.next()).toEqual({ event: "client-hello", channel, data: { from: "a" } });
    await b.expectSilence();
  });

  it("refuses a channel token signed with another app's secret", async () => {
    const channel = unique("private-cross-");
    const socket = await connectApp(APP_A.key);
    const forged = await signToken({ key: APP_A.key, secret: APP_B.secret }, `${socket.socketId}:${channel}`);
    socket.send({ event: "pusher:subscribe", data: { channel, auth: forged } });
    const frame = await socket.nextEvent("pusher:subscription_error");
    expect(frame.channel).toBe(channel);
    expect(frame.data).toMatchObject({ type: "AuthError", status: 401 });
    const bKeyed = await signToken(APP_B, `${socket.socketId}:${channel}`);
    socket.send({ event: "pusher:subscribe", data: { channel, auth: bKeyed } });
    expect((await socket.nextEvent("pusher:subscription_error")).data).toMatchObject({ type: "AuthError" });
  });
});
