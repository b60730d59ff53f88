import { describe, expect, it } from "vitest";
import {
  bystanders,
  memberAdded,
  memberRemoved,
  sendSubscribe,
  storedChannels,
  subscribe,
  subscriptionErrorOf,
  unique,
} from "./support/channels";
import { connect } from "./support/socket";

describe("presence members", () => {
  it("gives a joining socket the roster and tells the others, never the joiner itself", async () => {
    const channel = unique("presence-roster-");
    const [ada, bob] = [await connect(), await connect()];
    await subscribe(ada, channel, { user_id: "ada", user_info: { name: "Ada" } });
    expect(await subscribe(bob, channel, { user_id: "bob", user_info: { name: "Bob" } })).toEqual({
      presence: {
        ids: expect.arrayContaining(["ada", "bob"]),
        hash: { ada: { name: "Ada" }, bob: { name: "Bob" } },
        count: 2,
      },
    });
    expect(await ada.next()).toEqual(memberAdded(channel, "bob", { name: "Bob" }));
    await bob.expectSilence();
    await ada.expectSilence();
  });

  it("counts members per user: added on a user's first socket, removed after the last leaves", async () => {
    const channel = unique("presence-tabs-");
    const watcher = await connect();
    await subscribe(watcher, channel, { user_id: "watcher" });
    const [tab1, tab2] = [await connect(), await connect()];

    await subscribe(tab1, channel, { user_id: "ada" });
    expect(await watcher.next()).toEqual(memberAdded(channel, "ada"));
    const second = await subscribe(tab2, channel, { user_id: "ada" });
    expect(second).toMatchObject({ presence: { count: 2 } });
    await tab1.expectSilence();
    await watcher.expectSilence();

    tab1.send({ event: "pusher:unsubscribe", data: { channel } });
    await tab1.expectSilence();
    await watcher.expectSilence();
    tab2.ws.close(1000, "bye");
    expect(await watcher.next()).toEqual(memberRemoved(channel, "ada"));
    expect(await storedChannels(tab2.socketId)).toEqual([]);
  });

  it("announces member_removed when the member unsubscribes", async () => {
    const channel = unique("presence-unsub-");
    const [ada, bob] = [await connect(), await connect()];
    await subscribe(ada, channel, { user_id: "ada" });
    await subscribe(bob, channel, { user_id: "bob" });
    expect(await ada.next()).toEqual(memberAdded(channel, "bob"));
    bob.send({ event: "pusher:unsubscribe", data: { channel } });
    expect(await ada.next()).toEqual(memberRemoved(channel, "bob"));
    await bob.expectSilence();
  });

  it("keeps numeric user ids (as Laravel sends them) as strings", async () => {
    const channel = unique("presence-numeric-");
    const [first, second] = [await connect(), await connect()];
    await subscribe(first, channel, { user_id: 7 });
    expect(await subscribe(second, channel, { user_id: 42, user_info: { n: 1 } })).toEqual({
      presence: { ids: expect.arrayContaining(["7", "42"]), hash: { 7: {}, 42: { n: 1 } }, count: 2 },
    });
    expect(await first.next()).toEqual(memberAdded(channel, "42", { n: 1 }));
  });

  it("accepts user info of exactly 1 KB and a user id of exactly 128 characters", async () => {
    const channel = unique("presence-limits-ok-");
    const socket = await connect();
    const info = "x".repeat(1024 - 2);
    const userId = "u".repeat(128);
    expect(await subscribe(socket, channel, { user_id: userId, user_info: info })).toEqual({
      presence: { ids: [userId], hash: { [userId]: info }, count: 1 },
    });
  });
});

describe("refused presence members", () => {
  const refusals: Array<{ name: string; channelData: unknown; error: string }> = [
    {
      name: "user info over 1 KB",
      channelData: { user_id: "ada", user_info: "x".repeat(1024 - 1) },
      error: "channel_data.user_info is larger than 1024 bytes",
    },
    {
      name: "a user id over 128 characters",
      channelData: { user_id: "u".repeat(129) },
      error: "channel_data.user_id is longer than 128 characters",
    },
    {
      name: "an empty user id",
      channelData: { user_id: "" },
      error: "channel_data.user_id must be a non-empty string",
    },
    { name: "no user id", channelData: { user_info: {} }, error: "channel_data.user_id must be a non-empty string" },
    {
      name: "a user id that is an object",
      channelData: { user_id: { id: 1 } },
      error: "channel_data.user_id must be a non-empty string",
    },
    { name: "channel_data that is not JSON", channelData: "{user_id: ada}", error: "channel_data is not valid JSON" },
    { name: "channel_data that is a JSON array", channelData: "[1]", error: "channel_data must be a JSON object" },
  ];

  for (const refusal of refusals) {
    it(`refuses ${refusal.name}, signed correctly, with a clear error`, async () => {
      const others = await bystanders();
      const channel = unique("presence-refused-");
      const [member, socket] = [await connect(), await connect()];
      await subscribe(member, channel, { user_id: "member" });
      const channelData =
        typeof refusal.channelData === "string" ? refusal.channelData : JSON.stringify(refusal.channelData);
      await sendSubscribe(socket, channel, channelData);
      expect(await socket.next()).toEqual(subscriptionErrorOf(channel, "AuthError", 400, refusal.error));
      expect(await storedChannels(socket.socketId)).toEqual([]);
      await member.expectSilence();
      await socket.expectSilence();
      await others.stillWorking();
    });
  }

  it("refuses a 101st member, but not another socket of a member already present", async () => {
    const channel = unique("presence-full-");
    const sockets = await Promise.all(Array.from({ length: 100 }, () => connect()));
    for (const [i, socket] of sockets.entries()) await sendSubscribe(socket, channel, { user_id: `user-${i}` });
    for (const socket of sockets) await socket.nextEvent("pusher_internal:subscription_succeeded");
    const first = sockets[0];
    if (first === undefined) throw new Error("no sockets");

    const late = await connect();
    await sendSubscribe(late, channel, { user_id: "late" });
    expect(await late.next()).toEqual(
      subscriptionErrorOf(channel, "LimitReached", 400, "Presence channel is full: at most 100 members"),
    );
    const secondTab = await connect();
    expect(await subscribe(secondTab, channel, { user_id: "user-0" })).toMatchObject({ presence: { count: 100 } });
    // Once a member leaves there is room again.
    sockets[99]?.ws.close(1000);
    await first.nextEvent("pusher_internal:member_removed");
    expect(await subscribe(late, channel, { user_id: "late" })).toMatchObject({ presence: { count: 100 } });
  });
});
