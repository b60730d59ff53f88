import type Pusher from "pusher";
import type PusherClient from "pusher-js";
import type { Channel, Members, PresenceChannel } from "pusher-js";
import { describe, expect, it } from "vitest";
import { client, connected, disconnectAfterEach, once, subscribed, uniqueName } from "./support/clients";

const track = disconnectAfterEach();

/** pusher-js returns a PresenceChannel for presence- names; its type says only Channel. */
function isPresence(channel: Channel): channel is PresenceChannel {
  return "members" in channel;
}

function membersOf(channel: Channel): Members {
  if (!isPresence(channel)) throw new Error(`${channel.name} is not a presence channel`);
  return channel.members;
}

/** A connected client subscribed to `name`, as pusher-js users write it. */
async function joined(name: string, presence?: Pusher.PresenceChannelData): Promise<[PusherClient, Channel]> {
  const pusher = track(client(presence === undefined ? {} : { presence }));
  await connected(pusher);
  return [pusher, await subscribed(pusher, name)];
}

/** Resolves with an event's data and the metadata pusher-js passes as its second argument. */
function nextWithMetadata(channel: Channel, event: string, ms = 5000): Promise<[unknown, unknown]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${event}`)), ms);
    const handler = (data: unknown, metadata: unknown) => {
      clearTimeout(timer);
      channel.unbind(event, handler);
      resolve([data, metadata]);
    };
    channel.bind(event, handler);
  });
}

describe("client events between pusher-js clients", () => {
  it("relays on a private channel, to the other client only", async () => {
    const name = uniqueName("private-chat-");
    const [, aliceChannel] = await joined(name);
    const [, bobChannel] = await joined(name);
    const echoes: unknown[] = [];
    aliceChannel.bind("client-note", (data: unknown) => echoes.push(data));

    const received = once(bobChannel, "client-note");
    expect(aliceChannel.trigger("client-note", { text: "hi bob" })).toBe(true);
    expect(await received).toEqual({ text: "hi bob" });
    // Frames arrive in order: had Alice's event come back to her, it would precede Bob's reply.
    const reply = once(aliceChannel, "client-reply");
    bobChannel.trigger("client-reply", { text: "hi alice" });
    expect(await reply).toEqual({ text: "hi alice" });
    expect(echoes).toEqual([]);
  });

  it("tells presence subscribers which user sent an event", async () => {
    const name = uniqueName("presence-chat-");
    const [, aliceChannel] = await joined(name, { user_id: "alice", user_info: { name: "Alice" } });
    const [, bobChannel] = await joined(name, { user_id: "bob", user_info: { name: "Bob" } });
    const received = nextWithMetadata(bobChannel, "client-wave");
    aliceChannel.trigger("client-wave", { hand: "right" });
    expect(await received).toEqual([{ hand: "right" }, { user_id: "alice" }]);
  });

  it("reports a refused client event as a 4301 error and stays connected", async () => {
    const name = uniqueName("public-chat-");
    const [alice, aliceChannel] = await joined(name);
    const error = once<{ type: string; data: unknown }>(alice.connection, "error");
    aliceChannel.trigger("client-note", { text: "public" });
    expect(await error).toEqual({
      type: "PusherError",
      data: {
        code: 4301,
        message: `Client events are only allowed on private and presence channels, not on '${name}'`,
      },
    });
    expect(alice.connection.state).toBe("connected");
    const again = uniqueName("private-after-");
    await once(alice.subscribe(again), "pusher:subscription_succeeded");
  });
});

describe("presence members with pusher-js", () => {
  it("sees members arrive and leave, and keeps channel.members in step", async () => {
    const name = uniqueName("presence-room-");
    const [, aliceChannel] = await joined(name, { user_id: "alice", user_info: { name: "Alice" } });
    const aliceMembers = membersOf(aliceChannel);
    expect(aliceMembers.count).toBe(1);
    expect(aliceMembers.me).toEqual({ id: "alice", info: { name: "Alice" } });

    const added = once(aliceChannel, "pusher:member_added");
    const [bob, bobChannel] = await joined(name, { user_id: "bob", user_info: { name: "Bob" } });
    expect(await added).toEqual({ id: "bob", info: { name: "Bob" } });
    expect(aliceMembers.count).toBe(2);
    const bobMembers = membersOf(bobChannel);
    expect(bobMembers.count).toBe(2);
    expect(bobMembers.get("alice")).toEqual({ id: "alice", info: { name: "Alice" } });
    expect(bobMembers.me).toEqual({ id: "bob", info: { name: "Bob" } });

    const removed = once(aliceChannel, "pusher:member_removed");
    bob.disconnect();
    expect(await removed).toEqual({ id: "bob", info: { name: "Bob" } });
    expect(aliceMembers.count).toBe(1);
    expect(aliceMembers.get("bob")).toBeNull();
  });

  it("counts a user with two connections once", async () => {
    const name = uniqueName("presence-tabs-");
    const [, watcherChannel] = await joined(name, { user_id: "watcher" });
    const added: unknown[] = [];
    const removed: unknown[] = [];
    watcherChannel.bind("pusher:member_added", (member: unknown) => added.push(member));
    watcherChannel.bind("pusher:member_removed", (member: unknown) => removed.push(member));

    const firstAdded = once(watcherChannel, "pusher:member_added");
    const [tab1] = await joined(name, { user_id: "alice" });
    await firstAdded;
    const [tab2, tab2Channel] = await joined(name, { user_id: "alice" });
    expect(membersOf(tab2Channel).count).toBe(2);

    tab1.disconnect();
    // The watcher hears about Alice leaving only once her last connection goes.
    const gone = once(watcherChannel, "pusher:member_removed");
    tab2.disconnect();
    await gone;
    expect(added).toEqual([{ id: "alice", info: {} }]);
    expect(removed).toEqual([{ id: "alice", info: {} }]);
    expect(membersOf(watcherChannel).count).toBe(1);
  });
});

describe("subscription errors with pusher-js", () => {
  it("emits pusher:subscription_error on the channel for a bad signature", async () => {
    // The auth endpoint signs with a secret that is not the app's.
    const pusher = track(client({ sdkOptions: { secret: "not-the-secret-0123456789" } }));
    await connected(pusher);
    const channel = pusher.subscribe(uniqueName("private-forged-"));
    const error = await once<{ type: string; status: number; error: string }>(channel, "pusher:subscription_error");
    expect(error).toEqual({ type: "AuthError", status: 401, error: expect.stringMatching(/^Invalid signature/) });
    expect(channel.subscribed).toBe(false);
    expect(pusher.connection.state).toBe("connected");
  });
});

describe("keep-alive with pusher-js", () => {
  it("answers pusher-js's own ping", async () => {
    const pusher = track(client({ activityTimeout: 200, pongTimeout: 5000 }));
    await connected(pusher);
    // pusher-js pings after activityTimeout of silence and reconnects unless a pong comes back.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no pong to pusher-js's ping")), 5000);
      pusher.connection.bind("message", (message: { event: string }) => {
        if (message.event !== "pusher:pong") return;
        clearTimeout(timer);
        resolve();
      });
    });
    expect(pusher.connection.state).toBe("connected");
  });
});
