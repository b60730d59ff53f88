import type PusherClient from "pusher-js";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { backend, client, connected, disconnectAfterEach, once, onceWhere, uniqueName } from "./support/clients";
import { DropProxy } from "./support/proxy";

const PUSHER_JS_PING = '{"event":"pusher:ping","data":{}}';

let proxy: DropProxy;
beforeAll(async () => {
  proxy = await DropProxy.start(inject("sower"));
});
afterAll(() => proxy.close());

const track = disconnectAfterEach();
/** A pusher-js client whose socket goes through the relay, so the test can drop it. */
function relayed(options: Parameters<typeof client>[0] = {}): PusherClient {
  return track(client({ wsPort: proxy.port, ...options }));
}

function states(pusher: PusherClient): string[] {
  const seen: string[] = [];
  pusher.connection.bind("state_change", ({ current }: { current: string }) => seen.push(current));
  return seen;
}

describe("pusher-js connection lifecycle against the server", () => {
  it.each([4200, 4201, 4202, 4299])("reconnects at once with a new socket id after a %i close", async (code) => {
    const pusher = relayed();
    await connected(pusher);
    const first = pusher.connection.socket_id;
    const seen = states(pusher);
    const reconnected = once(pusher.connection, "connected");
    proxy.drop(code);
    await reconnected;
    expect(seen).toEqual(["connecting", "connected"]);
    expect(pusher.connection.socket_id).toMatch(/^\d+\.\d+$/);
    expect(pusher.connection.socket_id).not.toBe(first);
  });

  // 4000 is the one code in that range pusher-js answers by retrying, over TLS ("SSL only").
  it.each([4001, 4004, 4009, 4099])("gives up after a %i close and reports the error", async (code) => {
    const pusher = relayed();
    await connected(pusher);
    const before = proxy.connections;
    const seen = states(pusher);
    const error = once<{ type: string; data: { code: number; message: string } }>(pusher.connection, "error");
    const disconnected = once(pusher.connection, "disconnected");
    proxy.drop(code, "refused by the test");
    expect(await error).toEqual({ type: "PusherError", data: { code, message: "refused by the test" } });
    await disconnected;
    // A later client connecting proves the relay is up; the refused one never came back.
    await connected(relayed());
    expect(seen).toEqual(["disconnected"]);
    expect(proxy.connections).toBe(before + 1);
  });

  it("keeps its connection through ping/pong cycles with a short activity timeout", async () => {
    const pusher = relayed({ activityTimeout: 500, pongTimeout: 5000 });
    await connected(pusher);
    const socketId = pusher.connection.socket_id;
    const seen = states(pusher);
    const sentBefore = proxy.sent.length;
    for (let cycle = 0; cycle < 3; cycle += 1) {
      await onceWhere<{ event: string }>(pusher.connection, "message", ({ event }) => event === "pusher:pong");
    }
    const pings = proxy.sent.slice(sentBefore).filter((frame) => frame === PUSHER_JS_PING);
    expect(pings.length).toBeGreaterThanOrEqual(3);
    expect(seen).toEqual([]);
    expect(pusher.connection.state).toBe("connected");
    expect(pusher.connection.socket_id).toBe(socketId);
  });

  it("resubscribes after a reconnect and keeps receiving events", async () => {
    const channelName = uniqueName("private-");
    const presenceName = uniqueName("presence-");
    const alice = relayed({ presence: { user_id: "alice", user_info: { name: "Alice" } } });
    const bob = relayed({ presence: { user_id: "bob", user_info: { name: "Bob" } } });
    const alicePrivate = alice.subscribe(channelName);
    const alicePresence = alice.subscribe(presenceName);
    await Promise.all([
      once(alicePrivate, "pusher:subscription_succeeded"),
      once(alicePresence, "pusher:subscription_succeeded"),
    ]);

    const resubscribed = Promise.all([
      once(alicePrivate, "pusher:subscription_succeeded", 10_000),
      once(alicePresence, "pusher:subscription_succeeded", 10_000),
    ]);
    proxy.drop(4200);
    await resubscribed;
    // Bob subscribes only now, so everything he sees comes from Alice's new socket.
    const bobPrivate = bob.subscribe(channelName);
    const bobPresence = bob.subscribe(presenceName);
    const [, members] = await Promise.all([
      once(bobPrivate, "pusher:subscription_succeeded"),
      once<{ count: number; members: Record<string, unknown> }>(bobPresence, "pusher:subscription_succeeded"),
    ]);
    expect(members.count).toBe(2);
    expect(members.members).toEqual({ alice: { name: "Alice" }, bob: { name: "Bob" } });

    const received = once(alicePrivate, "client-after-reconnect");
    expect(bobPrivate.trigger("client-after-reconnect", { text: "still here", n: 1 })).toBe(true);
    expect(await received).toEqual({ text: "still here", n: 1 });

    const fromBackend = once(alicePresence, "announcement");
    await backend().trigger(presenceName, "announcement", { text: "server side", at: [2026, 11] });
    expect(await fromBackend).toEqual({ text: "server side", at: [2026, 11] });
  });
});
