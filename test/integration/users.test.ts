import { describe, expect, it } from "vitest";
import { channelAuth, connectSignedIn, signIn, subscribe, unique, userAuth } from "./support/auth";
import { beacon } from "./support/channels";
import { hibernate } from "./support/eviction";
import { rest, trigger } from "./support/rest";
import { connect, expectRefused } from "./support/socket";

describe("pusher:signin", () => {
  it("answers a valid sign-in with signin_success carrying the same user_data string", async () => {
    const socket = await connect();
    const userData = JSON.stringify({ id: unique("user-"), user_info: { name: "Ada" } });
    socket.send({ event: "pusher:signin", data: { auth: await userAuth(socket, userData), user_data: userData } });
    expect(await socket.next()).toEqual({
      event: "pusher:signin_success",
      data: JSON.stringify({ user_data: userData }),
    });
  });

  it("closes with 4009 on a bad signature, leaving other sockets alone", async () => {
    const bystander = await connectSignedIn({ id: unique("user-") });
    const socket = await connect();
    const userData = JSON.stringify({ id: unique("user-") });
    socket.send({ event: "pusher:signin", data: { auth: "sower-key:0000", user_data: userData } });
    await expectRefused(socket, 4009, "Invalid signature for pusher:signin");
    await bystander.expectSilence();
  });

  it("closes with 4009 when user_data has no id", async () => {
    const socket = await connect();
    const userData = JSON.stringify({ user_info: { name: "nobody" } });
    socket.send({ event: "pusher:signin", data: { auth: await userAuth(socket, userData), user_data: userData } });
    await expectRefused(socket, 4009, "user_data.id must be a non-empty string");
  });

  it("closes with 4009 when the watchlist is not a list of ids", async () => {
    const socket = await connect();
    const userData = JSON.stringify({ id: unique("user-"), watchlist: "everyone" });
    socket.send({ event: "pusher:signin", data: { auth: await userAuth(socket, userData), user_data: userData } });
    await expectRefused(socket, 4009, "user_data.watchlist must be an array of user ids");
  });
});

describe("#server-to-user- channels", () => {
  it("are open only to a socket signed in as that user", async () => {
    const userId = unique("user-");
    const owner = await connectSignedIn({ id: userId });
    const other = await connectSignedIn({ id: unique("user-") });
    const anonymous = await connect();
    const channel = `#server-to-user-${userId}`;

    expect(await subscribe(owner, channel)).toEqual({
      event: "pusher_internal:subscription_succeeded",
      channel,
      data: "{}",
    });
    const refusal = {
      event: "pusher:subscription_error",
      channel,
      data: {
        type: "AuthError",
        error: "Only a connection signed in as this user may subscribe to its channel",
        status: 403,
      },
    };
    expect(await subscribe(other, channel)).toEqual(refusal);
    expect(await subscribe(anonymous, channel)).toEqual(refusal);
    await owner.expectSilence();
  });

  it("still accept the signed-in user after the object is evicted", async () => {
    const userId = unique("user-");
    const socket = await connectSignedIn({ id: userId });
    await hibernate(beacon());
    const channel = `#server-to-user-${userId}`;
    expect((await subscribe(socket, channel)).event).toBe("pusher_internal:subscription_succeeded");
  });
});

describe("presence with a signed-in user", () => {
  it("uses the signed-in user when channel_data is absent, signed over socket:channel", async () => {
    const channel = unique("presence-signed-");
    const watcher = await connect();
    const watcherData = JSON.stringify({ user_id: unique("watcher-"), user_info: {} });
    expect((await subscribe(watcher, channel, watcherData)).event).toBe("pusher_internal:subscription_succeeded");

    const userId = unique("user-");
    const socket = await connectSignedIn({ id: userId, user_info: { name: "Grace" } });
    socket.send({ event: "pusher:subscribe", data: { channel, auth: await channelAuth(socket, channel) } });
    const succeeded = await socket.next();
    expect(succeeded.event).toBe("pusher_internal:subscription_succeeded");
    const presence = JSON.parse(String(succeeded.data)).presence;
    expect(presence.count).toBe(2);
    expect(presence.hash[userId]).toEqual({ name: "Grace" });
    expect(await watcher.next()).toEqual({
      event: "pusher_internal:member_added",
      channel,
      data: JSON.stringify({ user_id: userId, user_info: { name: "Grace" } }),
    });
  });

  it("keeps the signed-in user_info across an eviction", async () => {
    const channel = unique("presence-signed-");
    const userId = unique("user-");
    const socket = await connectSignedIn({ id: userId, user_info: { name: "Lin" } });
    await hibernate(beacon());
    socket.send({ event: "pusher:subscribe", data: { channel, auth: await channelAuth(socket, channel) } });
    const succeeded = await socket.next();
    expect(JSON.parse(String(succeeded.data)).presence.hash).toEqual({ [userId]: { name: "Lin" } });
  });

  it("still refuses a presence subscription without channel_data on a socket that is not signed in", async () => {
    const channel = unique("presence-signed-");
    const socket = await connect();
    socket.send({ event: "pusher:subscribe", data: { channel, auth: await channelAuth(socket, channel) } });
    expect(await socket.next()).toEqual({
      event: "pusher:subscription_error",
      channel,
      data: {
        type: "AuthError",
        error: "Presence channels need channel_data signed by the auth endpoint, or a signed-in connection",
        status: 401,
      },
    });
  });

  it("refuses a token signed over channel_data that was not sent", async () => {
    const channel = unique("presence-signed-");
    const socket = await connectSignedIn({ id: unique("user-") });
    const auth = await channelAuth(socket, channel, JSON.stringify({ user_id: "someone-else" }));
    socket.send({ event: "pusher:subscribe", data: { channel, auth } });
    const refusal = await socket.next();
    expect(refusal.event).toBe("pusher:subscription_error");
    expect(refusal.data).toMatchObject({ type: "AuthError", status: 401 });
  });
});

describe("sending to a user", () => {
  it("reaches every socket signed in as the user through #server-to-user-, and nobody else", async () => {
    const userId = unique("user-");
    const channel = `#server-to-user-${userId}`;
    const phone = await connectSignedIn({ id: userId });
    const laptop = await connectSignedIn({ id: userId });
    const stranger = await connectSignedIn({ id: unique("user-") });
    await subscribe(phone, channel);
    await subscribe(laptop, channel);
    expect((await trigger(channel, "hello", '{"to":"you"}')).status).toBe(200);
    const expected = { event: "hello", channel, data: '{"to":"you"}' };
    expect(await phone.next()).toEqual(expected);
    expect(await laptop.next()).toEqual(expected);
    await stranger.expectSilence();
  });
});

describe("terminating a user's connections", () => {
  it("ends the user's online state once: watchers hear offline a single time", async () => {
    const userId = unique("user-");
    const watcher = await connectSignedIn({ id: unique("watcher-"), watchlist: [userId] });
    const first = await connectSignedIn({ id: userId });
    await connectSignedIn({ id: userId });
    expect((await watcher.next()).data).toBe(JSON.stringify({ events: [{ name: "online", user_ids: [userId] }] }));

    expect((await rest("POST", `/users/${userId}/terminate_connections`, { body: {} })).status).toBe(200);
    expect((await first.waitClosed()).code).toBe(4009);
    expect(await watcher.next()).toEqual({
      event: "pusher_internal:watchlist_events",
      data: JSON.stringify({ events: [{ name: "offline", user_ids: [userId] }] }),
    });
    await watcher.expectSilence();

    // Signing in again is a fresh online.
    await connectSignedIn({ id: userId });
    expect((await watcher.next()).data).toBe(JSON.stringify({ events: [{ name: "online", user_ids: [userId] }] }));
  });
});

describe("signing in again on the same socket", () => {
  it("moves the socket to the new user: the earlier user's channel and online state end", async () => {
    const first = unique("user-");
    const second = unique("user-");
    const watcher = await connectSignedIn({ id: unique("watcher-"), watchlist: [first] });
    const socket = await connectSignedIn({ id: first });
    expect((await watcher.next()).data).toBe(JSON.stringify({ events: [{ name: "online", user_ids: [first] }] }));
    await subscribe(socket, `#server-to-user-${first}`);

    await signIn(socket, { id: second });
    expect((await watcher.next()).data).toBe(JSON.stringify({ events: [{ name: "offline", user_ids: [first] }] }));
    expect((await trigger(`#server-to-user-${first}`, "old", "{}")).status).toBe(200);
    await socket.expectSilence();
    expect((await subscribe(socket, `#server-to-user-${second}`)).event).toBe("pusher_internal:subscription_succeeded");
  });
});

describe("presence as the signed-in user: limits", () => {
  it("refuses a signed-in user whose user_info is larger than a presence member may be", async () => {
    const channel = unique("presence-signed-");
    const socket = await connectSignedIn({ id: unique("user-"), user_info: { bio: "b".repeat(1100) } });
    socket.send({ event: "pusher:subscribe", data: { channel, auth: await channelAuth(socket, channel) } });
    expect(await socket.next()).toEqual({
      event: "pusher:subscription_error",
      channel,
      data: { type: "AuthError", error: "user_data.user_info is larger than 1024 bytes", status: 400 },
    });
    await socket.expectSilence();
  });
});
