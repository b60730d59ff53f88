import { describe, expect, it } from "vitest";
import { channelStringToSign, signToken } from "../../src/auth/signatures";
import { HUNDRED_SUBSCRIBES_MS } from "./support/apps";
import {
  authorize,
  bystanders,
  clientEvent,
  sendSubscribe,
  signIn,
  storedChannels,
  subscribe,
  subscriptionErrorOf,
  unique,
} from "./support/channels";
import { APP_SECRET, connect, type TestSocket } from "./support/socket";

function rawSubscribe(socket: TestSocket, channel: string, data: Record<string, unknown>): void {
  socket.send({ event: "pusher:subscribe", data: { channel, ...data } });
}

/** A wrong signature of the right length and form. */
function forged(auth: string): string {
  const [key, signature = ""] = auth.split(":");
  return `${key}:${signature.replace(/^./, (c) => (c === "0" ? "1" : "0"))}`;
}

describe("subscribing", () => {
  it("subscribes to a public channel with an empty auth, as pusher-js sends it", async () => {
    const socket = await connect();
    const channel = unique("public-");
    expect(await subscribe(socket, channel)).toEqual({});
    expect(await storedChannels(socket.socketId)).toEqual([channel]);
  });

  it("subscribes to a private channel signed over socket_id:channel", async () => {
    const socket = await connect();
    const channel = unique("private-");
    expect(await subscribe(socket, channel)).toEqual({});
  });

  it("subscribes to a presence channel signed over socket_id:channel:channel_data", async () => {
    const socket = await connect();
    const channel = unique("presence-");
    expect(await subscribe(socket, channel, { user_id: "ada", user_info: { name: "Ada" } })).toEqual({
      presence: { ids: ["ada"], hash: { ada: { name: "Ada" } }, count: 1 },
    });
  });

  it("accepts a subscribe whose data is a JSON string, as some clients send it", async () => {
    const socket = await connect();
    const channel = unique("public-string-");
    socket.send({ event: "pusher:subscribe", data: JSON.stringify({ channel, auth: "" }) });
    expect(await socket.next()).toEqual({ event: "pusher_internal:subscription_succeeded", channel, data: "{}" });
  });

  it("accepts channel names of exactly 164 characters with every allowed character", async () => {
    const socket = await connect();
    const base = unique("private-Az09_-=@,.;");
    const channel = base + "x".repeat(164 - base.length);
    expect(channel).toHaveLength(164);
    expect(await subscribe(socket, channel)).toEqual({});
  });

  it("treats subscribing again to a channel already held as harmless", async () => {
    const [socket, peer] = [await connect(), await connect()];
    const channel = unique("private-again-");
    await subscribe(socket, channel);
    await subscribe(peer, channel);
    await subscribe(socket, channel);
    expect(await storedChannels(socket.socketId)).toEqual([channel]);
    // One unsubscribe undoes it: the second subscribe added nothing.
    socket.send({ event: "pusher:unsubscribe", data: { channel } });
    peer.send(clientEvent(channel));
    await socket.expectSilence();
    expect(await storedChannels(socket.socketId)).toEqual([]);
  });
});

describe("unsubscribing", () => {
  it("stops delivery and removes the stored subscription", async () => {
    const [socket, peer] = [await connect(), await connect()];
    const channel = unique("private-leave-");
    await subscribe(socket, channel);
    await subscribe(peer, channel);
    peer.send(clientEvent(channel, "client-before"));
    expect(await socket.next()).toMatchObject({ event: "client-before", channel });
    socket.send({ event: "pusher:unsubscribe", data: { channel } });
    peer.send(clientEvent(channel, "client-after"));
    await socket.expectSilence();
    expect(await storedChannels(socket.socketId)).toEqual([]);
  });

  it("ignores unsubscribing from a channel the socket never held", async () => {
    const socket = await connect();
    socket.send({ event: "pusher:unsubscribe", data: { channel: unique("public-never-") } });
    await socket.expectSilence();
  });
});

describe("refused subscriptions", () => {
  const refusals: Array<{
    name: string;
    prefix: string;
    send: (socket: TestSocket, channel: string) => Promise<void>;
    type: string;
    status: number;
    error: string | RegExp;
  }> = [
    {
      name: "a private channel without auth",
      prefix: "private-",
      send: async (socket, channel) => rawSubscribe(socket, channel, { auth: "" }),
      type: "AuthError",
      status: 401,
      error: /^Invalid signature/,
    },
    {
      name: "a private channel with a forged signature",
      prefix: "private-",
      send: async (socket, channel) =>
        rawSubscribe(socket, channel, { auth: forged((await authorize(socket.socketId, channel)).auth) }),
      type: "AuthError",
      status: 401,
      error: /^Invalid signature/,
    },
    {
      name: "a private channel signed with another secret",
      prefix: "private-",
      send: async (socket, channel) => {
        const auth = await signToken(
          { key: "sower-key", secret: `${APP_SECRET}-other` },
          channelStringToSign(socket.socketId, channel),
        );
        rawSubscribe(socket, channel, { auth });
      },
      type: "AuthError",
      status: 401,
      error: /^Invalid signature/,
    },
    {
      name: "a private channel whose token names another app key",
      prefix: "private-",
      send: async (socket, channel) => {
        const { auth } = await authorize(socket.socketId, channel);
        rawSubscribe(socket, channel, { auth: auth.replace(/^[^:]+/, "other-key") });
      },
      type: "AuthError",
      status: 401,
      error: /^Invalid signature/,
    },
    {
      name: "a private channel signed for another socket",
      prefix: "private-",
      send: async (socket, channel) => rawSubscribe(socket, channel, await authorize("1234.1234", channel)),
      type: "AuthError",
      status: 401,
      error: /^Invalid signature/,
    },
    {
      name: "a private channel signed for another channel",
      prefix: "private-",
      send: async (socket, channel) => rawSubscribe(socket, channel, await authorize(socket.socketId, `${channel}x`)),
      type: "AuthError",
      status: 401,
      error: /^Invalid signature/,
    },
    {
      name: "an encrypted channel signed as another channel",
      prefix: "private-encrypted-",
      send: async (socket, channel) =>
        rawSubscribe(
          socket,
          channel,
          await authorize(socket.socketId, channel.replace("private-encrypted-", "private-")),
        ),
      type: "AuthError",
      status: 401,
      error: /^Invalid signature/,
    },
    {
      name: "a presence channel without channel_data",
      prefix: "presence-",
      send: async (socket, channel) => rawSubscribe(socket, channel, await authorize(socket.socketId, channel)),
      type: "AuthError",
      status: 401,
      error: "Presence channels need channel_data signed by the auth endpoint, or a signed-in connection",
    },
    {
      name: "a presence channel whose channel_data was changed after signing",
      prefix: "presence-",
      send: async (socket, channel) => {
        const signed = await authorize(socket.socketId, channel, { user_id: "ada" });
        rawSubscribe(socket, channel, { auth: signed.auth, channel_data: JSON.stringify({ user_id: "admin" }) });
      },
      type: "AuthError",
      status: 401,
      error: /^Invalid signature/,
    },
    {
      name: "a presence channel whose channel_data was re-encoded with other spacing",
      prefix: "presence-",
      send: async (socket, channel) => {
        const signed = await authorize(socket.socketId, channel, { user_id: "ada" });
        rawSubscribe(socket, channel, { auth: signed.auth, channel_data: '{ "user_id": "ada" }' });
      },
      type: "AuthError",
      status: 401,
      error: /^Invalid signature/,
    },
    {
      name: "a server-to-user channel on a socket that is not signed in",
      prefix: "#server-to-user-",
      send: async (socket, channel) => rawSubscribe(socket, channel, { auth: "" }),
      type: "AuthError",
      status: 403,
      error: "Only a connection signed in as this user may subscribe to its channel",
    },
    {
      name: "another user's server-to-user channel",
      prefix: "#server-to-user-",
      send: async (socket, channel) => {
        await signIn(socket, "someone-else");
        rawSubscribe(socket, channel, { auth: "" });
      },
      type: "AuthError",
      status: 403,
      error: "Only a connection signed in as this user may subscribe to its channel",
    },
    {
      name: "a channel name with a space",
      prefix: "public has space-",
      send: async (socket, channel) => rawSubscribe(socket, channel, { auth: "" }),
      type: "InvalidChannel",
      status: 400,
      error: "Channel names may only contain letters, digits and _ - = @ , . ;",
    },
    {
      name: "a channel name with a colon",
      prefix: "private-a:b-",
      send: async (socket, channel) => rawSubscribe(socket, channel, await authorize(socket.socketId, channel)),
      type: "InvalidChannel",
      status: 400,
      error: "Channel names may only contain letters, digits and _ - = @ , . ;",
    },
    {
      name: "a channel name with a non-ASCII letter",
      prefix: "café-",
      send: async (socket, channel) => rawSubscribe(socket, channel, { auth: "" }),
      type: "InvalidChannel",
      status: 400,
      error: "Channel names may only contain letters, digits and _ - = @ , . ;",
    },
    {
      name: "a channel name of 165 characters",
      prefix: "x".repeat(150),
      send: async (socket, channel) => rawSubscribe(socket, channel + "y".repeat(165 - channel.length), { auth: "" }),
      type: "InvalidChannel",
      status: 400,
      error: "Channel name is longer than 164 characters",
    },
  ];

  for (const refusal of refusals) {
    it(`refuses ${refusal.name}, and the socket and others keep working`, async () => {
      const others = await bystanders();
      const socket = await connect();
      const channel = unique(refusal.prefix);
      await refusal.send(socket, channel);
      const frame = await socket.next();
      const refused = frame.channel ?? channel;
      expect(frame).toEqual(subscriptionErrorOf(refused, refusal.type, refusal.status, refusal.error));
      expect(refused.startsWith(channel)).toBe(true);
      expect(await storedChannels(socket.socketId)).toEqual([]);
      await socket.expectSilence();
      await others.stillWorking();
    });
  }

  it("refuses an empty channel name", async () => {
    const socket = await connect();
    rawSubscribe(socket, "", { auth: "" });
    expect(await socket.next()).toEqual(
      subscriptionErrorOf("", "InvalidChannel", 400, "Channel name must not be empty"),
    );
    await socket.expectSilence();
  });

  it(
    "refuses a 101st channel on one socket, and still allows resubscribing to a held one",
    async () => {
      const others = await bystanders();
      const socket = await connect();
      const held = Array.from({ length: 100 }, () => unique("public-many-"));
      for (const channel of held) await sendSubscribe(socket, channel);
      for (const channel of held) {
        expect(await socket.next()).toMatchObject({ event: "pusher_internal:subscription_succeeded", channel });
      }
      const extra = unique("public-extra-");
      await sendSubscribe(socket, extra);
      expect(await socket.next()).toEqual(
        subscriptionErrorOf(extra, "LimitReached", 400, "A connection may subscribe to at most 100 channels"),
      );
      const first = held[0] ?? "";
      await sendSubscribe(socket, first);
      expect(await socket.next()).toEqual({
        event: "pusher_internal:subscription_succeeded",
        channel: first,
        data: "{}",
      });
      socket.send({ event: "pusher:unsubscribe", data: { channel: first } });
      expect(await subscribe(socket, extra)).toEqual({});
      expect(await storedChannels(socket.socketId)).toHaveLength(100);
      await others.stillWorking();
    },
    HUNDRED_SUBSCRIBES_MS,
  );
});

/*
 * Frames without a wait are handled at once; a signed subscribe waits for its
 * signature check. Frames sent behind it must still be applied after it.
 */
describe("frame order on one socket", () => {
  it("relays a client event sent right behind the signed subscribe to its channel", async () => {
    const [sender, receiver] = [await connect(), await connect()];
    const channel = unique("private-right-behind-");
    await subscribe(receiver, channel);
    await sendSubscribe(sender, channel);
    sender.send(clientEvent(channel, "client-first"));
    expect(await sender.next()).toMatchObject({ event: "pusher_internal:subscription_succeeded", channel });
    expect(await receiver.next()).toEqual({ event: "client-first", channel, data: { text: "hello" } });
    await sender.expectSilence();
  });

  it("applies a signed subscribe, an unsubscribe and a public subscribe sent back to back in that order", async () => {
    const [socket, peer] = [await connect(), await connect()];
    const signed = unique("private-back-to-back-");
    const open = unique("public-back-to-back-");
    await subscribe(peer, signed);
    await sendSubscribe(socket, signed);
    socket.send({ event: "pusher:unsubscribe", data: { channel: signed } });
    await sendSubscribe(socket, open);
    expect(await socket.next()).toMatchObject({ event: "pusher_internal:subscription_succeeded", channel: signed });
    expect(await socket.next()).toMatchObject({ event: "pusher_internal:subscription_succeeded", channel: open });
    peer.send(clientEvent(signed, "client-after-unsubscribe"));
    await socket.expectSilence();
    expect(await storedChannels(socket.socketId)).toEqual([open]);
  });
});
