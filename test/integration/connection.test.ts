import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { bystanders, decoded, memberAdded, memberRemoved, storedChannels, subscribe, unique } from "./support/channels";
import { APP_KEY, connect, expectRefused, openSocket } from "./support/socket";

/** Opens a socket on `path` that must be refused: the exact error frame, then a close with the same code. */
async function expectRefusedAt(path: string, code: number, message: string | RegExp) {
  await expectRefused(await openSocket(path), code, message);
}

describe("connecting", () => {
  it("sends connection_established with a socket id and activity timeout as a JSON string", async () => {
    const socket = await openSocket();
    const frame = await socket.next();
    expect(frame.event).toBe("pusher:connection_established");
    expect(decoded(frame)).toEqual({ socket_id: expect.stringMatching(/^\d+\.\d+$/), activity_timeout: 120 });
  });

  it("gives every socket a different id", async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 10; i++) ids.add((await connect()).socketId);
    expect(ids.size).toBe(10);
    for (const id of ids) expect(id).toMatch(/^\d+\.\d+$/);
  });

  it("accepts the URL pusher-js builds, with or without a trailing slash", async () => {
    for (const path of [
      `/app/${APP_KEY}?protocol=7&client=js&version=8.6.0&flash=false`,
      `/app/${APP_KEY}/?protocol=7`,
    ]) {
      const socket = await openSocket(path);
      expect((await socket.next()).event).toBe("pusher:connection_established");
    }
  });
});

describe("refused connections", () => {
  it("refuses an unknown key with 4001", async () => {
    await expectRefusedAt("/app/nope?protocol=7", 4001, "App key not found");
  });

  it("refuses a missing protocol with 4008", async () => {
    await expectRefusedAt(`/app/${APP_KEY}`, 4008, "No protocol version given");
    await expectRefusedAt(`/app/${APP_KEY}?protocol=`, 4008, "No protocol version given");
  });

  it("refuses an unsupported protocol with 4007", async () => {
    await expectRefusedAt(`/app/${APP_KEY}?protocol=4`, 4007, /^Unsupported protocol version 4/);
    await expectRefusedAt(`/app/${APP_KEY}?protocol=8`, 4007, /^Unsupported protocol version 8/);
  });

  it("refuses a protocol that is not a number with 4006", async () => {
    for (const protocol of ["seven", "7.0", "-7", "7a"]) {
      await expectRefusedAt(`/app/${APP_KEY}?protocol=${protocol}`, 4006, "Invalid protocol version format");
    }
  });

  it("refuses a malformed /app path with 4005", async () => {
    for (const path of [
      "/app",
      "/app/",
      "/app//?protocol=7",
      `/app/${APP_KEY}/extra?protocol=7`,
      "/app/%E0%A4%A?protocol=7",
    ]) {
      await expectRefusedAt(path, 4005, "Invalid path: connect to /app/{key}");
    }
  });

  it("answers a request that is not a WebSocket upgrade with 426 and a clear message", async () => {
    const response = await SELF.fetch(`http://sower.test/app/${APP_KEY}?protocol=7`);
    expect(response.status).toBe(426);
    expect(response.headers.get("Upgrade")).toBe("websocket");
    expect(await response.text()).toMatch(/Pusher WebSocket endpoint/);
  });

  it("leaves connected sockets working", async () => {
    const others = await bystanders();
    await expectRefusedAt("/app/nope?protocol=7", 4001, "App key not found");
    await others.stillWorking();
  });
});

describe("closing", () => {
  it("answers a client's close with the client's own code", async () => {
    const socket = await connect();
    socket.ws.close(4000, "bye");
    expect((await socket.waitClosed()).code).toBe(4000);
  });

  const closes: Array<[string, (ws: WebSocket) => void]> = [
    ["with 1000", (ws) => ws.close(1000)],
    // As pusher-js disconnects: the Beacon sees 1005, and the client waits for a close frame back.
    ["without a code", (ws) => ws.close()],
  ];
  for (const [how, close] of closes) {
    it(`lets a presence member go when its socket closes ${how}`, async () => {
      const channel = unique("presence-close-");
      const [watcher, leaver] = [await connect(), await connect()];
      await subscribe(watcher, channel, { user_id: "watcher" });
      await subscribe(leaver, channel, { user_id: "leaver" });
      expect(await watcher.next()).toEqual(memberAdded(channel, "leaver"));
      close(leaver.ws);
      expect(await watcher.next()).toEqual(memberRemoved(channel, "leaver"));
      await leaver.waitClosed();
      expect(await storedChannels(leaver.socketId)).toEqual([]);
      await watcher.expectSilence();
    });
  }
});
