import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Beacon } from "../../src/beacon/beacon";
import {
  clientEvent,
  heldSocket,
  memberRemoved,
  sendSubscribe,
  signIn,
  storedChannels,
  subscribe,
  unique,
} from "./support/channels";
import { hibernateApp, holderOf, plantVanishedMember, sharded } from "./support/objects";
import { APP_ID, connect } from "./support/socket";

/**
 * Tears down the instance of every object holding the app's sockets (its
 * Beacon, or its shards and the channel's hub); the sockets hibernate and
 * each constructor runs again on the next event.
 */
function evict(...channels: string[]): Promise<void> {
  return hibernateApp(APP_ID, ...channels);
}

describe("attachments", () => {
  it("stay under Cloudflare's 2,048-byte cap for the largest legal socket", async () => {
    const socket = await connect();
    await signIn(socket, "u".repeat(128));
    const channels = Array.from({ length: 100 }, (_, i) => {
      const name = `presence-${i}-${unique("")}-`;
      return name + "c".repeat(164 - name.length);
    });
    for (const channel of channels) await sendSubscribe(socket, channel, { user_id: "u".repeat(128), user_info: {} });
    for (const channel of channels) {
      expect(await socket.next()).toMatchObject({ event: "pusher_internal:subscription_succeeded", channel });
    }
    expect(await storedChannels(socket.socketId)).toHaveLength(100);

    const serialized = await runInDurableObject(await holderOf(socket.socketId), (_instance, state) => {
      const ws = heldSocket(state, socket.socketId);
      // The runtime stores the attachment with the structured-clone serializer, whose
      // encoding of strings and numbers is no larger than their JSON text.
      return JSON.stringify(ws.deserializeAttachment());
    });
    expect(serialized).toContain("u".repeat(128));
    expect(new TextEncoder().encode(serialized).length).toBeLessThan(2048);
  });
});

describe("eviction", () => {
  it("delivers to subscriptions made before the Beacon was evicted", async () => {
    const channel = unique("private-evicted-");
    const [sender, receiver] = [await connect(), await connect()];
    await subscribe(sender, channel);
    await subscribe(receiver, channel);
    await evict(channel);
    sender.send(clientEvent(channel, "client-after-wake", { n: 1 }));
    expect(await receiver.next()).toEqual({ event: "client-after-wake", channel, data: { n: 1 } });
    await sender.expectSilence();
  });

  it("keeps presence members, their user ids on client events, and their leaving, across evictions", async () => {
    const channel = unique("presence-evicted-");
    const [ada, bob] = [await connect(), await connect()];
    await subscribe(ada, channel, { user_id: "ada", user_info: { name: "Ada" } });
    await evict(channel);
    expect(await subscribe(bob, channel, { user_id: "bob" })).toEqual({
      presence: { ids: expect.arrayContaining(["ada", "bob"]), hash: { ada: { name: "Ada" }, bob: {} }, count: 2 },
    });
    expect(await ada.next()).toMatchObject({ event: "pusher_internal:member_added", channel });
    await evict(channel);
    bob.send(clientEvent(channel, "client-hello"));
    expect(await ada.next()).toEqual({ event: "client-hello", channel, data: { text: "hello" }, user_id: "bob" });
    await evict(channel);
    bob.ws.close(1000);
    expect(await ada.next()).toEqual(memberRemoved(channel, "bob"));
    expect(await storedChannels(bob.socketId)).toEqual([]);
  });

  it("removes a user only after the last of its sockets leaves, across evictions", async () => {
    const channel = unique("presence-tabs-evicted-");
    const [watcher, tab1, tab2] = [await connect(), await connect(), await connect()];
    await subscribe(watcher, channel, { user_id: "watcher" });
    await subscribe(tab1, channel, { user_id: "ada" });
    await subscribe(tab2, channel, { user_id: "ada" });
    expect(await watcher.next()).toMatchObject({ event: "pusher_internal:member_added" });
    await evict(channel);
    tab1.send({ event: "pusher:unsubscribe", data: { channel } });
    await tab1.expectSilence();
    await watcher.expectSilence();
    await evict(channel);
    tab2.ws.close(1000);
    expect(await watcher.next()).toEqual(memberRemoved(channel, "ada"));
  });

  it("unsubscribes a subscription made before eviction", async () => {
    const channel = unique("private-unsub-evicted-");
    const [sender, receiver] = [await connect(), await connect()];
    await subscribe(sender, channel);
    await subscribe(receiver, channel);
    await evict(channel);
    receiver.send({ event: "pusher:unsubscribe", data: { channel } });
    sender.send(clientEvent(channel));
    await receiver.expectSilence();
    expect(await storedChannels(receiver.socketId)).toEqual([]);
  });

  it("keeps a resubscription after eviction harmless", async () => {
    const channel = unique("presence-resub-evicted-");
    const [ada, bob] = [await connect(), await connect()];
    await subscribe(ada, channel, { user_id: "ada" });
    await subscribe(bob, channel, { user_id: "bob" });
    await ada.nextEvent("pusher_internal:member_added");
    await evict(channel);
    expect(await subscribe(bob, channel, { user_id: "bob" })).toMatchObject({ presence: { count: 2 } });
    await ada.expectSilence();
    expect(await storedChannels(bob.socketId)).toEqual([channel]);
  });
});

describe("reconciling on wake", () => {
  it("removes rows of vanished sockets and announces their members as removed", async () => {
    const channel = unique("presence-ghost-");
    const ada = await connect();
    await subscribe(ada, channel, { user_id: "ada" });
    await plantVanishedMember(ada.socketId, "999.999", channel, "ghost");
    await evict(channel);
    ada.send({ event: "pusher:ping" });
    if (sharded()) {
      // A shard reconciles as it wakes and the hub announces the leave: after the pong, not before.
      expect(await ada.next()).toEqual({ event: "pusher:pong", data: "{}" });
      expect(await ada.next()).toEqual(memberRemoved(channel, "ghost"));
    } else {
      expect(await ada.next()).toEqual(memberRemoved(channel, "ghost"));
      expect(await ada.next()).toEqual({ event: "pusher:pong", data: "{}" });
    }
    expect(await storedChannels("999.999")).toEqual([]);
    expect(await storedChannels(ada.socketId)).toEqual([channel]);
  });

  it("does not announce a vanished socket's user who is still present on a live socket", async () => {
    const channel = unique("presence-ghost-tab-");
    const [ada, bob] = [await connect(), await connect()];
    await subscribe(ada, channel, { user_id: "ada" });
    await subscribe(bob, channel, { user_id: "bob" });
    await ada.nextEvent("pusher_internal:member_added");
    await plantVanishedMember(ada.socketId, "888.888", channel, "ada");
    await evict(channel);
    await bob.expectSilence();
    await ada.expectSilence();
    expect(await storedChannels("888.888")).toEqual([]);
  });
});

describe("closing", () => {
  it("cleans up a socket that closes right after subscribing", async () => {
    const channel = unique("presence-close-race-");
    const watcher = await connect();
    await subscribe(watcher, channel, { user_id: "watcher" });
    const leaver = await connect();
    await sendSubscribe(leaver, channel, { user_id: "leaver" });
    leaver.ws.close(1000);
    const seen = await watcher.next();
    if (seen.event === "pusher_internal:member_added")
      expect(await watcher.next()).toEqual(memberRemoved(channel, "leaver"));
    await watcher.expectSilence();
    expect(await storedChannels(leaver.socketId)).toEqual([]);
  });

  it("cleans up a socket the runtime reports an error on", async () => {
    const channel = unique("presence-socket-error-");
    const [watcher, failing] = [await connect(), await connect()];
    await subscribe(watcher, channel, { user_id: "watcher" });
    await subscribe(failing, channel, { user_id: "failing" });
    await watcher.nextEvent("pusher_internal:member_added");
    await runInDurableObject(await holderOf(failing.socketId), async (instance: Beacon, state) => {
      const ws = heldSocket(state, failing.socketId);
      await instance.webSocketError(ws, new Error("connection reset"));
    });
    expect(await watcher.next()).toEqual(memberRemoved(channel, "failing"));
    expect(await storedChannels(failing.socketId)).toEqual([]);
  });
});
