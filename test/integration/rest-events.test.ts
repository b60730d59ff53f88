import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { beacon, unique } from "./support/channels";
import { hibernate } from "./support/eviction";
import { hibernateApp, socketHolders } from "./support/objects";
import { expectRefusal, rest, signIn, subscribe, trigger } from "./support/rest";
import { APP_ID, connect } from "./support/socket";

describe("POST /events: delivery", () => {
  it("delivers data to every subscriber exactly as the backend sent it, as a string", async () => {
    const channel = unique("public-");
    const [a, b] = await Promise.all([connect(), connect()]);
    await subscribe(a, channel);
    await subscribe(b, channel);
    const data = '{"text":"héllo \\"world\\"","n":[1,2]} and not JSON after all \u2028';
    const response = await trigger(channel, "greeting", data);
    expect({ status: response.status, body: response.text }).toEqual({ status: 200, body: "{}" });
    for (const socket of [a, b]) expect(await socket.next()).toEqual({ event: "greeting", channel, data });
  });

  // Encrypted channels cannot share an event with other channels (test/integration/encrypted.test.ts).
  it("delivers to public, private, presence and server-to-user channels in one call", async () => {
    const channels = [unique("pub-"), unique("private-"), unique("presence-")];
    const socket = await connect();
    await signIn(socket, "delivery-user");
    await subscribe(socket, channels[0] ?? "");
    await subscribe(socket, channels[1] ?? "");
    await subscribe(socket, channels[2] ?? "", { user_id: "delivery-user" });
    await subscribe(socket, "#server-to-user-delivery-user");
    const all = [...channels, "#server-to-user-delivery-user"];
    expect((await trigger(all, "many", "1")).status).toBe(200);
    const received = [];
    for (const _ of all) received.push(await socket.next());
    expect(received).toEqual(all.map((channel) => ({ event: "many", channel, data: "1" })));
  });

  it("sends one copy per channel listed, even if a channel is listed twice", async () => {
    const channel = unique("twice-");
    const socket = await connect();
    await subscribe(socket, channel);
    expect((await trigger([channel, channel], "once", "x")).status).toBe(200);
    expect(await socket.next()).toEqual({ event: "once", channel, data: "x" });
    await socket.expectSilence();
  });

  it("excludes the connection named by socket_id, and only that one", async () => {
    const channel = unique("exclude-");
    const [sender, other] = await Promise.all([connect(), connect()]);
    await subscribe(sender, channel);
    await subscribe(other, channel);
    expect((await trigger(channel, "not-to-sender", "1", { socket_id: sender.socketId })).status).toBe(200);
    expect(await other.next()).toEqual({ event: "not-to-sender", channel, data: "1" });
    await sender.expectSilence();
    // An id of no connection here excludes nobody.
    expect((await trigger(channel, "to-all", "2", { socket_id: "1.1" })).status).toBe(200);
    expect((await sender.next()).event).toBe("to-all");
    expect((await other.next()).event).toBe("to-all");
  });

  it("keeps the order of events triggered one after another, and within a batch", async () => {
    const channel = unique("order-");
    const socket = await connect();
    await subscribe(socket, channel);
    for (let i = 0; i < 15; i++) expect((await trigger(channel, "seq", String(i))).status).toBe(200);
    const batch = Array.from({ length: 10 }, (_, i) => ({ name: "seq", channel, data: String(15 + i) }));
    expect((await rest("POST", "/batch_events", { body: { batch } })).status).toBe(200);
    const seen = [];
    for (let i = 0; i < 25; i++) seen.push((await socket.next()).data);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => String(i)));
  });

  it("answers info with counts per channel: distinct users for presence, connections for all", async () => {
    const presence = unique("presence-info-");
    const open = unique("info-");
    const empty = unique("info-empty-");
    const [a, b, c] = await Promise.all([connect(), connect(), connect()]);
    await subscribe(a, presence, { user_id: "u1" });
    await subscribe(b, presence, { user_id: "u1" });
    await subscribe(c, presence, { user_id: "u2" });
    await subscribe(a, open);
    const both = await trigger([presence], "x", "1", { info: "user_count,subscription_count" });
    expect(both.json()).toEqual({ channels: { [presence]: { user_count: 2, subscription_count: 3 } } });
    const counts = await trigger([open, empty], "x", "1", { info: "subscription_count" });
    expect(counts.json()).toEqual({
      channels: { [open]: { subscription_count: 1 }, [empty]: { subscription_count: 0 } },
    });
    expect((await trigger([open], "x", "1", { info: "" })).json()).toEqual({ channels: { [open]: {} } });
  });

  it("reaches subscribers after the Beacon was evicted (hibernation)", async () => {
    const channel = unique("evicted-");
    const socket = await connect();
    await subscribe(socket, channel);
    await hibernateApp(APP_ID, channel);
    expect((await trigger(channel, "after-eviction", "still here")).status).toBe(200);
    expect(await socket.next()).toEqual({ event: "after-eviction", channel, data: "still here" });
  });

  it("lets a Beacon first woken by a backend learn its app from the call", async () => {
    // The app's one Beacon, or a shard of it: GET /channels asks every shard.
    const [stub = beacon()] = socketHolders();
    await runInDurableObject(stub, (_instance, state) => {
      // Only the app id: the schema version stays, as it does on every object that has woken before.
      state.storage.sql.exec("DELETE FROM meta WHERE key = 'app_id'");
    });
    await hibernate(stub);
    expect((await rest("GET", "/channels")).status).toBe(200);
    const stored = await runInDurableObject(stub, (_instance, state) =>
      state.storage.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'app_id'").toArray(),
    );
    expect(stored).toEqual([{ value: APP_ID }]);
  });
});

describe("POST /batch_events", () => {
  it("delivers each event to its channel and answers {} without info", async () => {
    const [one, two] = [unique("batch-a-"), unique("batch-b-")];
    const socket = await connect();
    await subscribe(socket, one);
    await subscribe(socket, two);
    const batch = [
      { name: "first", channel: one, data: "1" },
      { name: "second", channel: two, data: "2" },
    ];
    const response = await rest("POST", "/batch_events", { body: { batch } });
    expect(response.json()).toEqual({});
    expect(await socket.next()).toEqual({ event: "first", channel: one, data: "1" });
    expect(await socket.next()).toEqual({ event: "second", channel: two, data: "2" });
  });

  it("answers info per event, in order, with {} for events that asked for none", async () => {
    const presence = unique("presence-batch-");
    const open = unique("batch-info-");
    const socket = await connect();
    await subscribe(socket, presence, { user_id: "batcher" });
    const batch = [
      { name: "a", channel: presence, data: "1", info: "user_count,subscription_count" },
      { name: "b", channel: open, data: "2" },
      { name: "c", channel: open, data: "3", info: "subscription_count" },
    ];
    const response = await rest("POST", "/batch_events", { body: { batch } });
    expect(response.json()).toEqual({
      batch: [{ user_count: 1, subscription_count: 1 }, {}, { subscription_count: 0 }],
    });
  });

  it("honours socket_id per event", async () => {
    const channel = unique("batch-exclude-");
    const [sender, other] = await Promise.all([connect(), connect()]);
    await subscribe(sender, channel);
    await subscribe(other, channel);
    const batch = [
      { name: "skip-sender", channel, data: "1", socket_id: sender.socketId },
      { name: "all", channel, data: "2" },
    ];
    expect((await rest("POST", "/batch_events", { body: { batch } })).status).toBe(200);
    expect((await sender.next()).event).toBe("all");
    expect((await other.next()).event).toBe("skip-sender");
    expect((await other.next()).event).toBe("all");
  });

  it("answers {} to an empty batch", async () => {
    expect((await rest("POST", "/batch_events", { body: { batch: [] } })).json()).toEqual({});
  });
});

describe("POST /events and /batch_events: refusals", () => {
  const valid = { name: "e", channel: "refusals", data: "{}" };
  const post = (body: unknown) => rest("POST", "/events", { body });
  const batch = (events: unknown[]) => rest("POST", "/batch_events", { body: { batch: events } });

  it("refuses a body that is not a JSON object (400)", async () => {
    await expectRefusal(post("{not json"), 400, "not valid JSON");
    await expectRefusal(post("[1,2]"), 400, "must be a JSON object");
    await expectRefusal(rest("POST", "/events"), 400, "needs a JSON body");
  });

  it("refuses a missing, empty or too long event name (400)", async () => {
    await expectRefusal(post({ ...valid, name: undefined }), 400, "name must be a non-empty string");
    await expectRefusal(post({ ...valid, name: "" }), 400, "name must be a non-empty string");
    await expectRefusal(post({ ...valid, name: 7 }), 400, "name must be a non-empty string");
    await expectRefusal(post({ ...valid, name: "n".repeat(201) }), 400, "longer than 200 characters");
    expect((await post({ ...valid, name: "n".repeat(200) })).status).toBe(200);
  });

  it("refuses event names in the protocol's namespaces (400)", async () => {
    for (const name of ["pusher:subscription_succeeded", "pusher_internal:member_added"]) {
      await expectRefusal(post({ ...valid, name }), 400, "are reserved for the protocol");
    }
    expect((await post({ ...valid, name: "pusher-ish" })).status).toBe(200);
  });

  it("refuses missing or non-string data (400) and data over 10 KB (413)", async () => {
    await expectRefusal(post({ ...valid, data: undefined }), 400, "data is required");
    await expectRefusal(post({ ...valid, data: { a: 1 } }), 400, "data must be a string");
    await expectRefusal(post({ ...valid, data: "x".repeat(10_241) }), 413, "at most 10240 bytes");
    // Counted in UTF-8 bytes: 5,121 two-byte characters are 10,242 bytes.
    await expectRefusal(post({ ...valid, data: "é".repeat(5_121) }), 413, "10242 bytes");
    expect((await post({ ...valid, data: "x".repeat(10_240) })).status).toBe(200);
  });

  it("refuses bad channel lists and more than 100 channels (400), as soketi does", async () => {
    const { channel: _, ...noChannel } = valid;
    await expectRefusal(post(noChannel), 400, "channels must be an array");
    await expectRefusal(post({ ...noChannel, channels: [] }), 400, "at least one channel");
    await expectRefusal(post({ ...noChannel, channels: "one" }), 400, "channels must be an array");
    await expectRefusal(post({ ...noChannel, channels: ["ok", 5] }), 400, "only strings");
    await expectRefusal(post({ ...valid, channels: ["a"] }), 400, "either channel or channels");
    await expectRefusal(post({ ...valid, channel: 5 }), 400, "channel must be a string");
    const many = Array.from({ length: 101 }, (_, i) => `c${i}`);
    await expectRefusal(post({ ...noChannel, channels: many }), 400, "at most 100 channels");
    expect((await post({ ...noChannel, channels: many.slice(0, 100) })).status).toBe(200);
  });

  it("validates channel names as the socket side does (400)", async () => {
    await expectRefusal(post({ ...valid, channel: "has space" }), 400, "Invalid channel 'has space'");
    await expectRefusal(post({ ...valid, channel: "" }), 400, "must not be empty");
    await expectRefusal(post({ ...valid, channel: "c".repeat(165) }), 400, "longer than 164 characters");
    await expectRefusal(post({ ...valid, channel: "#server-to-user-" }), 400, "Invalid server-to-user");
    expect((await post({ ...valid, channel: "c".repeat(164) })).status).toBe(200);
  });

  it("refuses a malformed socket_id (400)", async () => {
    await expectRefusal(post({ ...valid, socket_id: "abc" }), 400, "socket_id must be a socket id");
    await expectRefusal(post({ ...valid, socket_id: 123.456 }), 400, "socket_id must be a socket id");
  });

  it("refuses unknown info attributes and user_count on non-presence channels (400)", async () => {
    await expectRefusal(post({ ...valid, info: "member_count" }), 400, "Unknown info attribute 'member_count'");
    await expectRefusal(post({ ...valid, info: ["user_count"] }), 400, "info must be a comma-separated string");
    await expectRefusal(
      post({ name: "e", channels: ["presence-x", "public-y"], data: "", info: "user_count" }),
      400,
      "user_count is only available for presence channels, and 'public-y' is not one",
    );
  });

  it("refuses a batch that is not an array or holds more than 10 events (400), as soketi does", async () => {
    await expectRefusal(rest("POST", "/batch_events", { body: { batch: valid } }), 400, "batch must be an array");
    await expectRefusal(rest("POST", "/batch_events", { body: {} }), 400, "batch must be an array");
    await expectRefusal(batch(Array(11).fill(valid)), 400, "at most 10 events");
    expect((await batch(Array(10).fill(valid))).status).toBe(200);
  });

  it("names the batch entry that is wrong", async () => {
    await expectRefusal(batch([valid, { ...valid, name: "" }]), 400, "batch[1]: name must be a non-empty string");
    await expectRefusal(batch([valid, valid, { ...valid, data: "x".repeat(10_241) }]), 413, "batch[2]: Event data");
    await expectRefusal(
      batch([{ ...valid, channel: undefined, channels: ["a"] }]),
      400,
      "batch[0]: A batch event names one channel",
    );
    await expectRefusal(batch([{ ...valid, info: "user_count" }]), 400, "batch[0]: user_count is only available");
  });

  it("delivers nothing from a batch that is refused", async () => {
    const channel = unique("refused-batch-");
    const socket = await connect();
    await subscribe(socket, channel);
    await expectRefusal(
      batch([
        { ...valid, channel },
        { ...valid, channel, name: "" },
      ]),
      400,
      "batch[1]",
    );
    await socket.expectSilence();
  });
});
