import { describe, expect, it } from "vitest";
import { signToken } from "../../src/auth/signatures";
import { appRest, appTrigger } from "./support/app-rest";
import { connectApp, subscribeApp } from "./support/app-sockets";
import { DEFAULT_APP, ROOMY_APP, type TestApp, TIGHT_APP } from "./support/apps";
import { frameErrorOf } from "./support/channels";
import type { TestSocket } from "./support/socket";

let counter = 0;
function unique(prefix: string): string {
  counter++;
  return `${prefix}${counter}`;
}

async function joinPresence(socket: TestSocket, channel: string, userId: string, info: unknown = {}) {
  const channelData = JSON.stringify({ user_id: userId, user_info: info });
  const auth = await signToken(TIGHT_APP, `${socket.socketId}:${channel}:${channelData}`);
  socket.send({ event: "pusher:subscribe", data: { channel, auth, channel_data: channelData } });
}

describe("per-app limits take the app's own values", () => {
  it("max_presence_members_per_channel", async () => {
    const channel = unique("presence-t");
    const first = await connectApp(TIGHT_APP.key);
    await joinPresence(first, channel, "u1");
    await first.nextEvent("pusher_internal:subscription_succeeded");
    const second = await connectApp(TIGHT_APP.key);
    await joinPresence(second, channel, "u2");
    expect(await second.next()).toEqual({
      event: "pusher:subscription_error",
      channel,
      data: { type: "LimitReached", error: "Presence channel is full: at most 1 members", status: 400 },
    });
    await first.expectSilence();
  });

  it("max_presence_member_size_in_kb", async () => {
    const channel = unique("presence-s");
    const socket = await connectApp(TIGHT_APP.key);
    await joinPresence(socket, channel, "u1", { bio: "x".repeat(120) });
    expect(await socket.next()).toEqual({
      event: "pusher:subscription_error",
      channel,
      data: { type: "AuthError", error: "channel_data.user_info is larger than 102 bytes", status: 400 },
    });
  });

  it("max_channel_name_length, on sockets and in the HTTP API", async () => {
    const channel = "c".repeat(21);
    const socket = await connectApp(TIGHT_APP.key);
    socket.send({ event: "pusher:subscribe", data: { channel, auth: "" } });
    expect(await socket.next()).toEqual({
      event: "pusher:subscription_error",
      channel,
      data: { type: "InvalidChannel", error: "Channel name is longer than 20 characters", status: 400 },
    });
    expect((await appTrigger(TIGHT_APP, [channel], "e", "{}")).status).toBe(400);
    // The same name is fine for an app with Pusher's default of 164.
    expect((await appTrigger(DEFAULT_APP, [channel], "e", "{}")).status).toBe(200);
  });

  it("max_event_channels_at_once, max_event_name_length and max_event_payload_in_kb", async () => {
    const three = await appTrigger(TIGHT_APP, ["a1", "a2", "a3"], "e", "{}");
    expect(three).toMatchObject({ status: 400, text: "An event may go to at most 2 channels\n" });
    const name = await appTrigger(TIGHT_APP, ["a1"], "e".repeat(11), "{}");
    expect(name).toMatchObject({ status: 400, text: expect.stringContaining("longer than 10 characters") });
    const data = await appTrigger(TIGHT_APP, ["a1"], "e", "x".repeat(513));
    expect(data).toMatchObject({ status: 413, text: expect.stringContaining("at most 512 bytes") });
    expect((await appTrigger(TIGHT_APP, ["a1", "a2"], "e", "x".repeat(512))).status).toBe(200);
  });

  it("max_event_batch_size", async () => {
    const event = { name: "e", channel: "b1", data: "{}" };
    const three = await appRest(TIGHT_APP, "POST", "/batch_events", { body: { batch: [event, event, event] } });
    expect(three).toMatchObject({ status: 400, text: "A batch may hold at most 2 events\n" });
    const two = await appRest(TIGHT_APP, "POST", "/batch_events", { body: { batch: [event, event] } });
    expect(two.status).toBe(200);
  });
});

/** Two sockets of `app` on one private channel. */
async function pair(app: TestApp, channel = unique("private-")) {
  const [sender, receiver] = [await connectApp(app.key), await connectApp(app.key)];
  for (const socket of [sender, receiver]) await subscribeApp(socket, app, channel);
  return { channel, sender, receiver };
}

describe("per-app limits bind client events too", () => {
  it("max_event_name_length", async () => {
    const { channel, sender, receiver } = await pair(TIGHT_APP);
    sender.send({ event: "client-abcd", channel, data: {} });
    expect(await sender.next()).toEqual(frameErrorOf("Event name is longer than 10 characters"));
    sender.send({ event: "client-abc", channel, data: {} });
    expect(await receiver.next()).toEqual({ event: "client-abc", channel, data: {} });
    await receiver.expectSilence();
    expect(sender.closed).toBeUndefined();
  });

  it("max_event_payload_in_kb", async () => {
    const { channel, sender, receiver } = await pair(TIGHT_APP);
    sender.send({ event: "client-d", channel, data: "x".repeat(513) });
    expect(await sender.next()).toEqual(frameErrorOf("Client event data is larger than 512 bytes", 4301));
    sender.send({ event: "client-d", channel, data: "x".repeat(512) });
    expect(await receiver.next()).toEqual({ event: "client-d", channel, data: "x".repeat(512) });
    await receiver.expectSilence();
  });

  it("max_channel_name_length", async () => {
    // 20 characters: the longest this app takes.
    const { channel, sender, receiver } = await pair(TIGHT_APP, `private-${unique("c").padEnd(12, "c")}`);
    expect(channel).toHaveLength(20);
    sender.send({ event: "client-c", channel, data: {} });
    expect(await receiver.next()).toEqual({ event: "client-c", channel, data: {} });
    sender.send({ event: "client-c", channel: `${channel}x`, data: {} });
    expect(await sender.next()).toEqual(frameErrorOf("Channel name is longer than 20 characters", 4301));
    await receiver.expectSilence();
  });

  it("max_event_payload_in_kb above 64: the frame cap grows with it", async () => {
    const { channel, sender, receiver } = await pair(ROOMY_APP);
    const data = "x".repeat(100 * 1024);
    sender.send({ event: "client-large", channel, data });
    expect(await receiver.next()).toEqual({ event: "client-large", channel, data });
    sender.send({ event: "client-large", channel, data: `${data}x` });
    expect(await sender.next()).toEqual(frameErrorOf("Client event data is larger than 102400 bytes", 4301));
    // 6 x (100 KB + 200 + 164) + 1024: the data, event and channel names escaped at worst, and the envelope.
    sender.send({ event: "client-large", channel, data: "x".repeat(617_608) });
    expect(await sender.next()).toEqual(frameErrorOf("Frame is larger than 617608 bytes"));
    await receiver.expectSilence();
  });

  it("max_client_events_per_sec: the flood ceiling is 20 times the app's rate", async () => {
    const { channel, sender, receiver } = await pair(ROOMY_APP);
    // 300 frames at once would close a socket of an app at Pusher's 10 a second; this one allows 1,000.
    for (let i = 0; i < 300; i++) sender.send({ event: "client-tick", channel, data: { i } });
    for (let i = 0; i < 50; i++) expect(await receiver.next()).toEqual({ event: "client-tick", channel, data: { i } });
    const refusal = frameErrorOf("Client event rate limit reached: at most 50 per second", 4301);
    for (let i = 0; i < 10; i++) expect(await sender.next()).toEqual(refusal);
    await sender.expectSilence();
    await receiver.expectSilence();
    expect(sender.closed).toBeUndefined();
  });
});
