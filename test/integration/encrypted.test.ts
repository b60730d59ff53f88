import { describe, expect, it } from "vitest";
import { subscribe, unique } from "./support/auth";
import { beacon } from "./support/channels";
import { hibernate } from "./support/eviction";
import { expectRefusal, trigger } from "./support/rest";
import { connect } from "./support/socket";

describe("private-encrypted- channels", () => {
  it("are authorised like private channels", async () => {
    const channel = unique("private-encrypted-");
    const socket = await connect();
    expect(await subscribe(socket, channel)).toEqual({
      event: "pusher_internal:subscription_succeeded",
      channel,
      data: "{}",
    });
  });

  it("refuse a bad token with an AuthError", async () => {
    const channel = unique("private-encrypted-");
    const socket = await connect();
    socket.send({ event: "pusher:subscribe", data: { channel, auth: "sower-key:bad" } });
    const refusal = await socket.next();
    expect(refusal.event).toBe("pusher:subscription_error");
    expect(refusal.data).toMatchObject({ type: "AuthError", status: 401 });
  });

  it("refuse client events with 4301 and keep the socket and the other subscribers", async () => {
    const channel = unique("private-encrypted-");
    const sender = await connect();
    const receiver = await connect();
    await subscribe(sender, channel);
    await subscribe(receiver, channel);
    sender.send({ event: "client-hello", channel, data: { nonce: "x", ciphertext: "y" } });
    expect(await sender.next()).toEqual({
      event: "pusher:error",
      data: { code: 4301, message: `Client events are not supported on encrypted channels ('${channel}')` },
    });
    await sender.expectSilence();
    await receiver.expectSilence();
  });
});

describe("triggering on encrypted channels", () => {
  it("relays the ciphertext untouched", async () => {
    const channel = unique("private-encrypted-");
    const socket = await connect();
    await subscribe(socket, channel);
    const ciphertext = JSON.stringify({ nonce: "bm9uY2U=", ciphertext: "c2VjcmV0" });
    expect((await trigger(channel, "note", ciphertext)).status).toBe(200);
    expect(await socket.next()).toEqual({ event: "note", channel, data: ciphertext });
  });

  it("refuses one event for several channels when one is encrypted, delivering nothing", async () => {
    const encrypted = unique("private-encrypted-");
    const plain = unique("public-");
    const socket = await connect();
    await subscribe(socket, plain);
    await expectRefusal(
      trigger([plain, encrypted], "note", "{}"),
      400,
      "An event for an encrypted channel must be triggered on that channel alone",
    );
    await socket.expectSilence();
  });
});

describe("encrypted subscriptions across an eviction", () => {
  it("still receive ciphertext after the Beacon was evicted", async () => {
    const channel = unique("private-encrypted-");
    const socket = await connect();
    await subscribe(socket, channel);
    await hibernate(beacon());
    const ciphertext = JSON.stringify({ nonce: "bm9uY2U=", ciphertext: "YWZ0ZXI=" });
    expect((await trigger(channel, "note", ciphertext)).status).toBe(200);
    expect(await socket.next()).toEqual({ event: "note", channel, data: ciphertext });
  });
});
