import { describe, expect, it } from "vitest";
import { bystanders, clientEvent, frameErrorOf, subscribe, unique } from "./support/channels";
import { connect, type TestSocket } from "./support/socket";

/** Two sockets on one channel: `sender` triggers, `receiver` listens. */
async function pair(prefix: string) {
  const channel = unique(prefix);
  const [sender, receiver] = [await connect(), await connect()];
  const presence = prefix.startsWith("presence-");
  await subscribe(sender, channel, presence ? { user_id: "sender" } : undefined);
  await subscribe(receiver, channel, presence ? { user_id: "receiver" } : undefined);
  if (presence) await sender.nextEvent("pusher_internal:member_added");
  return { channel, sender, receiver };
}

/** A refused event: the exact 4301 frame, nothing relayed, and both sockets and others still fine. */
async function expectRefused(sender: TestSocket, receiver: TestSocket, message: string | RegExp) {
  expect(await sender.next()).toEqual(frameErrorOf(message, 4301));
  await receiver.expectSilence();
  await sender.expectSilence();
}

describe("client events", () => {
  it("relays a client event on a private channel to the others, not back to the sender", async () => {
    const { channel, sender, receiver } = await pair("private-chat-");
    sender.send(clientEvent(channel, "client-typing", { who: "ada", nested: [1, { a: null }] }));
    expect(await receiver.next()).toEqual({
      event: "client-typing",
      channel,
      data: { who: "ada", nested: [1, { a: null }] },
    });
    await sender.expectSilence();
  });

  it("adds the sender's user_id on presence channels", async () => {
    const { channel, sender, receiver } = await pair("presence-chat-");
    sender.send(clientEvent(channel, "client-wave", { hi: true }));
    expect(await receiver.next()).toEqual({ event: "client-wave", channel, data: { hi: true }, user_id: "sender" });
    await sender.expectSilence();
  });

  it("relays string data as sent", async () => {
    const { channel, sender, receiver } = await pair("private-string-");
    sender.send(clientEvent(channel, "client-text", '{"already":"encoded"}'));
    expect(await receiver.next()).toEqual({ event: "client-text", channel, data: '{"already":"encoded"}' });
  });

  it("accepts data of exactly 10 KB", async () => {
    const { channel, sender, receiver } = await pair("private-big-");
    const data = { t: "x".repeat(10 * 1024 - 8) };
    expect(JSON.stringify(data)).toHaveLength(10 * 1024);
    sender.send(clientEvent(channel, "client-big", data));
    expect(await receiver.next()).toEqual({ event: "client-big", channel, data });
  });
});

describe("refused client events", () => {
  it("refuses data over 10 KB with 4301 and keeps the socket", async () => {
    const others = await bystanders();
    const { channel, sender, receiver } = await pair("private-too-big-");
    sender.send(clientEvent(channel, "client-big", { t: "x".repeat(10 * 1024 - 7) }));
    await expectRefused(sender, receiver, "Client event data is larger than 10240 bytes");
    sender.send(clientEvent(channel, "client-small"));
    expect(await receiver.next()).toMatchObject({ event: "client-small" });
    await others.stillWorking();
  });

  it("refuses client events on public channels", async () => {
    const others = await bystanders();
    const { channel, sender, receiver } = await pair("public-chat-");
    sender.send(clientEvent(channel));
    await expectRefused(
      sender,
      receiver,
      `Client events are only allowed on private and presence channels, not on '${channel}'`,
    );
    await others.stillWorking();
  });

  it("refuses client events on encrypted channels, whose payloads only clients can read", async () => {
    const others = await bystanders();
    const { channel, sender, receiver } = await pair("private-encrypted-chat-");
    sender.send(clientEvent(channel));
    await expectRefused(sender, receiver, `Client events are not supported on encrypted channels ('${channel}')`);
    await others.stillWorking();
  });

  it("refuses a client event from a socket not subscribed to the channel", async () => {
    const others = await bystanders();
    const { channel, receiver } = await pair("private-outsider-");
    const outsider = await connect();
    outsider.send(clientEvent(channel));
    await expectRefused(outsider, receiver, `Client event rejected: not subscribed to '${channel}'`);
    await others.stillWorking();
  });

  it("refuses a client event on an invalid channel name", async () => {
    const sender = await connect();
    sender.send(clientEvent("private-bad name"));
    expect(await sender.next()).toEqual(
      frameErrorOf("Channel names may only contain letters, digits and _ - = @ , . ;", 4301),
    );
    await sender.expectSilence();
  });

  it("allows 10 client events per second per socket, refuses the rest with 4301 and keeps the socket", async () => {
    const others = await bystanders();
    const { channel, sender, receiver } = await pair("private-burst-");
    for (let i = 0; i < 12; i++) sender.send(clientEvent(channel, "client-burst", { i }));
    for (let i = 0; i < 10; i++) expect(await receiver.next()).toEqual({ event: "client-burst", channel, data: { i } });
    const limit = frameErrorOf("Client event rate limit reached: at most 10 per second", 4301);
    expect(await sender.next()).toEqual(limit);
    expect(await sender.next()).toEqual(limit);
    await receiver.expectSilence();
    await sender.expectSilence();
    expect(sender.closed).toBeUndefined();
    await others.stillWorking();
  });

  it("counts the limit per socket: another socket of the same channel is not slowed", async () => {
    const { channel, sender, receiver } = await pair("private-per-socket-");
    for (let i = 0; i < 10; i++) sender.send(clientEvent(channel, "client-burst", { i }));
    for (let i = 0; i < 10; i++) await receiver.next();
    receiver.send(clientEvent(channel, "client-reply"));
    expect(await sender.next()).toEqual({ event: "client-reply", channel, data: { text: "hello" } });
  });
});
