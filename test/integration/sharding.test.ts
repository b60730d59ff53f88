import { describe, expect, it } from "vitest";
import { appRest, appTrigger } from "./support/app-rest";
import { SHARDED_APP, SHARDED_CAPPED_APP } from "./support/apps";
import { clientEvent, memberAdded, memberRemoved, unique } from "./support/channels";
import { connectIn, json, openIn, sendSubscribeIn, signInAs, subscribeIn } from "./support/shards";
import { poll } from "./support/webhooks";

const app = SHARDED_APP;

describe("a sharded app's channels", () => {
  it("deliver a trigger to subscribers on every shard, counted app-wide", async () => {
    const channel = unique("spread-");
    const [paris, sydney] = [await connectIn(app, "weur"), await connectIn(app, "oc")];
    await subscribeIn(app, paris, channel);
    await subscribeIn(app, sydney, channel);
    const answer = await appRest(app, "POST", "/events", {
      body: { name: "hello", data: "{}", channel, info: "subscription_count" },
    });
    expect(json(answer)).toEqual({ channels: { [channel]: { subscription_count: 2 } } });
    expect(await paris.next()).toEqual({ event: "hello", channel, data: "{}" });
    expect(await sydney.next()).toEqual({ event: "hello", channel, data: "{}" });
    const info = await appRest(app, "GET", `/channels/${channel}`, { params: { info: "subscription_count" } });
    expect(json(info)).toEqual({ occupied: true, subscription_count: 2 });
    const list = await appRest(app, "GET", "/channels", { params: { info: "subscription_count" } });
    expect(json(list)).toEqual({ channels: expect.objectContaining({ [channel]: { subscription_count: 2 } }) });
  });

  it("reach a channel whose subscribers are all on other shards than the one the backend's socket_id is on", async () => {
    const channel = unique("elsewhere-");
    const [tokyo, newYork, sender] = [
      await connectIn(app, "apac"),
      await connectIn(app, "enam"),
      await connectIn(app, "weur"),
    ];
    await subscribeIn(app, tokyo, channel);
    await subscribeIn(app, newYork, channel);
    const answer = await appTrigger(app, [channel], "news", '"x"', { body: undefined });
    expect(answer.status).toBe(200);
    expect(await tokyo.next()).toEqual({ event: "news", channel, data: '"x"' });
    expect(await newYork.next()).toEqual({ event: "news", channel, data: '"x"' });
    await sender.expectSilence();
    // socket_id leaves out only that socket, wherever it is.
    await appRest(app, "POST", "/events", { body: { name: "n2", data: "1", channel, socket_id: tokyo.socketId } });
    expect(await newYork.next()).toEqual({ event: "n2", channel, data: "1" });
    await tokyo.expectSilence();
  });

  it("deliver a batch to each subscriber in order, across channels and shards", async () => {
    const [a, b] = [unique("batch-a-"), unique("batch-b-")];
    const [paris, sydney] = [await connectIn(app, "weur"), await connectIn(app, "oc")];
    for (const socket of [paris, sydney]) {
      await subscribeIn(app, socket, a);
      await subscribeIn(app, socket, b);
    }
    const batch = [a, b, a, b, a].map((channel, index) => ({ name: `e${index}`, data: String(index), channel }));
    expect((await appRest(app, "POST", "/batch_events", { body: { batch } })).status).toBe(200);
    for (const socket of [paris, sydney]) {
      for (const [index, channel] of [a, b, a, b, a].entries()) {
        expect(await socket.next()).toEqual({ event: `e${index}`, channel, data: String(index) });
      }
    }
  });

  it("deliver triggers that reach a shard together each in its caller's order, each answered with its own count", async () => {
    const [wide, narrow] = [unique("together-wide-"), unique("together-narrow-")];
    const paris = await connectIn(app, "weur");
    const everywhere = [paris, await connectIn(app, "enam"), await connectIn(app, "apac"), await connectIn(app, "oc")];
    for (const socket of everywhere) await subscribeIn(app, socket, wide);
    await subscribeIn(app, paris, narrow);
    // Four backends, each triggering in order, alternating channels so that answers differ.
    const lanes = [0, 1, 2, 3].map(async (lane) => {
      const answers: unknown[] = [];
      for (let step = 0; step < 6; step += 1) {
        const channel = step % 2 === 0 ? wide : narrow;
        const body = { name: `lane${lane}`, data: String(step), channel, info: "subscription_count" };
        answers.push(json(await appRest(app, "POST", "/events", { body })));
      }
      return answers;
    });
    for (const answers of await Promise.all(lanes)) {
      expect(answers).toEqual(
        [0, 1, 2, 3, 4, 5].map((step) =>
          step % 2 === 0
            ? { channels: { [wide]: { subscription_count: 4 } } }
            : { channels: { [narrow]: { subscription_count: 1 } } },
        ),
      );
    }
    for (const socket of everywhere) {
      const expected = socket === paris ? 24 : 12;
      const received = [];
      for (let count = 0; count < expected; count += 1) received.push(await socket.next());
      await socket.expectSilence();
      for (const lane of [0, 1, 2, 3]) {
        const ofLane = received.filter((frame) => frame.event === `lane${lane}`).map((frame) => frame.data);
        const steps = socket === paris ? ["0", "1", "2", "3", "4", "5"] : ["0", "2", "4"];
        expect(ofLane).toEqual(steps);
      }
    }
  });

  it("relay client events to every other shard, never to the sender", async () => {
    const channel = unique("private-relay-");
    const [sender, near, far] = [
      await connectIn(app, "weur"),
      await connectIn(app, "weur"),
      await connectIn(app, "oc"),
    ];
    for (const socket of [sender, near, far]) await subscribeIn(app, socket, channel);
    for (let n = 0; n < 3; n++) sender.send(clientEvent(channel, "client-step", { n }));
    for (const socket of [near, far]) {
      for (let n = 0; n < 3; n++) expect(await socket.next()).toEqual({ event: "client-step", channel, data: { n } });
    }
    await sender.expectSilence();
  });

  it("relay a client event from a shard with no other subscriber of the channel", async () => {
    const channel = unique("private-alone-");
    const [sender, tokyo, sydney] = [
      await connectIn(app, "enam"),
      await connectIn(app, "apac"),
      await connectIn(app, "oc"),
    ];
    for (const socket of [sender, tokyo, sydney]) await subscribeIn(app, socket, channel);
    sender.send(clientEvent(channel, "client-alone", { from: "enam" }));
    expect(await tokyo.next()).toEqual({ event: "client-alone", channel, data: { from: "enam" } });
    expect(await sydney.next()).toEqual({ event: "client-alone", channel, data: { from: "enam" } });
    await sender.expectSilence();
  });

  it("answer a cache channel's last event on any shard, and a miss where there is none", async () => {
    const channel = unique("cache-spread-");
    const early = await connectIn(app, "oc");
    await subscribeIn(app, early, channel);
    expect(await early.next()).toEqual({ event: "pusher:cache_miss", channel, data: "{}" });
    await appTrigger(app, [channel], "price", "42");
    expect(await early.next()).toEqual({ event: "price", channel, data: "42" });
    const late = await connectIn(app, "weur");
    await subscribeIn(app, late, channel);
    expect(await late.next()).toEqual({ event: "price", channel, data: "42" });
    const info = await appRest(app, "GET", `/channels/${channel}`, { params: { info: "cache" } });
    expect(json(info)).toEqual({ occupied: true, cache: { event: "price", data: "42", ttl: expect.any(Number) } });
  });
});

describe("a sharded app's resuming subscribers", () => {
  it("are told nothing was recovered, through the hub or on a shard that already holds the channel", async () => {
    const channel = unique("resume-spread-");
    const [first, second] = [await connectIn(app, "weur"), await connectIn(app, "weur")];
    for (const socket of [first, second]) {
      socket.send({ event: "pusher:subscribe", data: { channel, resume: { epoch: "gone", serial: 3 } } });
      const succeeded = await socket.nextEvent("pusher_internal:subscription_succeeded");
      expect(succeeded.channel).toBe(channel);
      const resumed = await socket.next();
      expect(resumed).toMatchObject({ event: "sower:resumed", channel });
      expect(JSON.parse(String(resumed.data))).toEqual({ recovered: false });
    }
  });
});

describe("a sharded app's presence channels", () => {
  it("answer the whole roster and announce each user once, whichever shards its sockets are on", async () => {
    const channel = unique("presence-spread-");
    const [ada, bob, adaAgain] = [
      await connectIn(app, "weur"),
      await connectIn(app, "oc"),
      await connectIn(app, "apac"),
    ];
    expect(await subscribeIn(app, ada, channel, { user_id: "ada" })).toEqual({
      presence: { ids: ["ada"], hash: { ada: {} }, count: 1 },
    });
    expect(await subscribeIn(app, bob, channel, { user_id: "bob", user_info: { name: "Bob" } })).toEqual({
      presence: { ids: ["ada", "bob"], hash: { ada: {}, bob: { name: "Bob" } }, count: 2 },
    });
    expect(await ada.next()).toEqual(memberAdded(channel, "bob", { name: "Bob" }));
    await subscribeIn(app, adaAgain, channel, { user_id: "ada" });
    await bob.expectSilence();
    const users = await appRest(app, "GET", `/channels/${channel}/users`);
    expect(json(users)).toEqual({ users: [{ id: "ada" }, { id: "bob" }] });
    const counts = await appRest(app, "GET", `/channels/${channel}`, {
      params: { info: "user_count,subscription_count" },
    });
    expect(json(counts)).toEqual({ occupied: true, user_count: 2, subscription_count: 3 });
    ada.ws.close(1000);
    await bob.expectSilence();
    adaAgain.ws.close(1000);
    expect(await bob.next()).toEqual(memberRemoved(channel, "ada"));
  });

  it("see one user join on two shards at once, and leave at once: one member_added, one member_removed", async () => {
    const channel = unique("presence-twice-");
    const watcher = await connectIn(app, "enam");
    await subscribeIn(app, watcher, channel, { user_id: "watcher" });
    const [tab1, tab2] = [await connectIn(app, "weur"), await connectIn(app, "oc")];
    await Promise.all([
      sendSubscribeIn(app, tab1, channel, { user_id: "ada" }),
      sendSubscribeIn(app, tab2, channel, { user_id: "ada" }),
    ]);
    await tab1.nextEvent("pusher_internal:subscription_succeeded");
    await tab2.nextEvent("pusher_internal:subscription_succeeded");
    expect(await watcher.next()).toEqual(memberAdded(channel, "ada"));
    await watcher.expectSilence();
    tab1.ws.close(1000);
    tab2.ws.close(1000);
    expect(await watcher.next()).toEqual(memberRemoved(channel, "ada"));
    await watcher.expectSilence();
  });

  it("let two users who join at once on two shards each learn of the other exactly once", async () => {
    for (let round = 0; round < 3; round++) {
      const channel = unique("presence-crossing-");
      const [ada, bob] = [await connectIn(app, "weur"), await connectIn(app, "oc")];
      await Promise.all([
        sendSubscribeIn(app, ada, channel, { user_id: "ada" }),
        sendSubscribeIn(app, bob, channel, { user_id: "bob" }),
      ]);
      for (const [socket, other] of [
        [ada, "bob"],
        [bob, "ada"],
      ] as const) {
        const succeeded = await socket.nextEvent("pusher_internal:subscription_succeeded");
        const roster = (JSON.parse(String(succeeded.data)) as { presence: { ids: string[] } }).presence.ids;
        const inRoster = roster.includes(other) ? 1 : 0;
        let added = 0;
        if (inRoster === 0) {
          expect(await socket.next()).toEqual(memberAdded(channel, other));
          added = 1;
        }
        await socket.expectSilence();
        expect(inRoster + added).toBe(1);
      }
    }
  });

  it("relay presence client events with the sender's user_id to other shards", async () => {
    const channel = unique("presence-relay-");
    const [ada, bob] = [await connectIn(app, "weur"), await connectIn(app, "oc")];
    await subscribeIn(app, ada, channel, { user_id: "ada" });
    await subscribeIn(app, bob, channel, { user_id: "bob" });
    await ada.nextEvent("pusher_internal:member_added");
    bob.send(clientEvent(channel, "client-hi"));
    expect(await ada.next()).toEqual({ event: "client-hi", channel, data: { text: "hello" }, user_id: "bob" });
    await bob.expectSilence();
  });

  it("enforce the member limit app-wide, while another socket of a member always fits", async () => {
    const channel = unique("presence-limit-");
    const regions = ["weur", "enam", "oc"] as const;
    for (const [index, region] of regions.entries()) {
      await subscribeIn(app, await connectIn(app, region), channel, { user_id: `u${index}` });
    }
    const fourth = await connectIn(app, "apac");
    await sendSubscribeIn(app, fourth, channel, { user_id: "u3" });
    expect(await fourth.next()).toEqual({
      event: "pusher:subscription_error",
      channel,
      data: { type: "LimitReached", status: 400, error: "Presence channel is full: at most 3 members" },
    });
    await subscribeIn(app, fourth, channel, { user_id: "u0" });
    const counts = await appRest(app, "GET", `/channels/${channel}`, { params: { info: "user_count" } });
    expect(json(counts)).toEqual({ occupied: true, user_count: 3 });
  });
});

describe("a sharded app's connections", () => {
  it("count max_connections across shards, and free a slot when a socket on another shard closes", async () => {
    const capped = SHARDED_CAPPED_APP;
    const first = await connectIn(capped, "weur");
    await connectIn(capped, "oc");
    const third = await openIn(capped, "weur");
    expect(await third.next()).toEqual({
      event: "pusher:error",
      data: { code: 4100, message: "Over capacity: this app allows at most 2 connections" },
    });
    expect((await third.waitClosed()).code).toBe(4100);
    first.ws.close(1000);
    await poll(4000, "a slot to free up", async () => {
      const socket = await openIn(capped, "oc");
      const frame = await socket.next();
      return frame.event === "pusher:connection_established" ? true : undefined;
    });
  });
});

describe("a sharded app's users", () => {
  it("reach a signed-in user on any shard through #server-to-user, watchlists and terminate_connections", async () => {
    const [watcher, ada1, ada2] = [
      await connectIn(app, "enam"),
      await connectIn(app, "weur"),
      await connectIn(app, "oc"),
    ];
    await signInAs(app, watcher, "watcher", ["ada"]);
    await signInAs(app, ada1, "ada");
    expect(await watcher.next()).toEqual({
      event: "pusher_internal:watchlist_events",
      data: JSON.stringify({ events: [{ name: "online", user_ids: ["ada"] }] }),
    });
    await signInAs(app, ada2, "ada");
    await watcher.expectSilence();
    for (const socket of [ada1, ada2]) await subscribeIn(app, socket, "#server-to-user-ada");
    await appRest(app, "POST", "/events", { body: { name: "dm", data: "hi", channel: "#server-to-user-ada" } });
    for (const socket of [ada1, ada2]) {
      expect(await socket.next()).toEqual({ event: "dm", channel: "#server-to-user-ada", data: "hi" });
    }
    expect((await appRest(app, "POST", "/users/ada/terminate_connections")).text).toBe("{}");
    for (const socket of [ada1, ada2]) expect((await socket.waitClosed()).code).toBe(4009);
    expect(await watcher.next()).toEqual({
      event: "pusher_internal:watchlist_events",
      data: JSON.stringify({ events: [{ name: "offline", user_ids: ["ada"] }] }),
    });
  });
});
