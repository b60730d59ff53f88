import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Beacon } from "../../src/beacon/beacon";
import { heldSocket, unique } from "./support/channels";
import { hibernateApp, holderOf } from "./support/objects";
import { expectRefusal, rest, signIn, subscribe, trigger } from "./support/rest";
import { APP_ID, connect } from "./support/socket";

describe("GET /channels", () => {
  it("lists occupied channels with the prefix, with counts when asked", async () => {
    const prefix = unique("list-");
    const [a, b] = await Promise.all([connect(), connect()]);
    await subscribe(a, `${prefix}-one`);
    await subscribe(b, `${prefix}-one`);
    await subscribe(b, `${prefix}-two`);
    await subscribe(a, unique("elsewhere-"));
    const plain = await rest("GET", "/channels", { params: { filter_by_prefix: prefix } });
    expect(plain.json()).toEqual({ channels: { [`${prefix}-one`]: {}, [`${prefix}-two`]: {} } });
    const counted = await rest("GET", "/channels", {
      params: { filter_by_prefix: prefix, info: "subscription_count" },
    });
    expect(counted.json()).toEqual({
      channels: { [`${prefix}-one`]: { subscription_count: 2 }, [`${prefix}-two`]: { subscription_count: 1 } },
    });
  });

  it("drops a channel once its last subscriber leaves", async () => {
    const channel = unique("vacated-");
    const socket = await connect();
    await subscribe(socket, channel);
    expect((await rest("GET", "/channels", { params: { filter_by_prefix: channel } })).json()).toEqual({
      channels: { [channel]: {} },
    });
    socket.send({ event: "pusher:unsubscribe", data: { channel } });
    await socket.expectSilence();
    expect((await rest("GET", "/channels", { params: { filter_by_prefix: channel } })).json()).toEqual({
      channels: {},
    });
  });

  it("gives user_count for presence channels, counting each user once", async () => {
    const channel = unique("presence-list-");
    const [a, b, c] = await Promise.all([connect(), connect(), connect()]);
    await subscribe(a, channel, { user_id: "ann" });
    await subscribe(b, channel, { user_id: "ann" });
    await subscribe(c, channel, { user_id: "bob" });
    const response = await rest("GET", "/channels", {
      params: { filter_by_prefix: channel, info: "user_count,subscription_count" },
    });
    expect(response.json()).toEqual({ channels: { [channel]: { user_count: 2, subscription_count: 3 } } });
  });

  it("refuses user_count without a presence- prefix filter, and unknown attributes (400)", async () => {
    await expectRefusal(
      rest("GET", "/channels", { params: { info: "user_count" } }),
      400,
      "info=user_count needs filter_by_prefix=presence-",
    );
    await expectRefusal(
      rest("GET", "/channels", { params: { filter_by_prefix: "private-", info: "user_count" } }),
      400,
      "filter_by_prefix=presence-",
    );
    await expectRefusal(rest("GET", "/channels", { params: { info: "cache_size" } }), 400, "Unknown info attribute");
  });
});

describe("GET /channels/{channel}", () => {
  it("says whether a channel is occupied, with counts when asked", async () => {
    const channel = unique("one-");
    expect((await rest("GET", `/channels/${channel}`)).json()).toEqual({ occupied: false });
    const socket = await connect();
    await subscribe(socket, channel);
    expect((await rest("GET", `/channels/${channel}`)).json()).toEqual({ occupied: true });
    const counted = await rest("GET", `/channels/${channel}`, { params: { info: "subscription_count" } });
    expect(counted.json()).toEqual({ occupied: true, subscription_count: 1 });
  });

  it("gives user_count and subscription_count for a presence channel", async () => {
    const channel = unique("presence-one-");
    const [a, b] = await Promise.all([connect(), connect()]);
    await subscribe(a, channel, { user_id: "solo" });
    await subscribe(b, channel, { user_id: "solo" });
    const response = await rest("GET", `/channels/${channel}`, { params: { info: "user_count,subscription_count" } });
    expect(response.json()).toEqual({ occupied: true, user_count: 1, subscription_count: 2 });
  });

  it("accepts a percent-encoded channel name", async () => {
    const channel = `${unique("enc-")}@x,y`;
    const socket = await connect();
    await subscribe(socket, channel);
    const encoded = encodeURIComponent(channel);
    expect((await rest("GET", `/channels/${encoded}`)).json()).toEqual({ occupied: true });
  });

  it("refuses user_count on a non-presence channel, and an invalid or too long name (400)", async () => {
    await expectRefusal(
      rest("GET", "/channels/private-x", { params: { info: "user_count" } }),
      400,
      "user_count is only available for presence channels, and 'private-x' is not one",
    );
    await expectRefusal(rest("GET", "/channels/bad%21name"), 400, "Invalid channel 'bad!name'");
    await expectRefusal(rest("GET", `/channels/${"c".repeat(165)}`), 400, "longer than 164 characters");
    await expectRefusal(rest("GET", "/channels/%E0%A4%A"), 400, "not valid percent-encoding");
  });
});

describe("GET /channels/{channel}/users", () => {
  it("lists each presence user once", async () => {
    const channel = unique("presence-users-");
    const [a, b, c] = await Promise.all([connect(), connect(), connect()]);
    await subscribe(a, channel, { user_id: "1" });
    await subscribe(b, channel, { user_id: "2" });
    await subscribe(c, channel, { user_id: "1" });
    const response = await rest("GET", `/channels/${channel}/users`);
    const { users } = response.json() as { users: Array<{ id: string }> };
    expect(users.sort((x, y) => x.id.localeCompare(y.id))).toEqual([{ id: "1" }, { id: "2" }]);
    expect((await rest("GET", `/channels/${unique("presence-empty-")}/users`)).json()).toEqual({ users: [] });
  });

  it("answers the same after the Beacon was evicted (hibernation)", async () => {
    const channel = unique("presence-evicted-");
    const [a, b] = await Promise.all([connect(), connect()]);
    await subscribe(a, channel, { user_id: "kept-1" });
    await subscribe(b, channel, { user_id: "kept-2" });
    await hibernateApp(APP_ID, channel);
    const { users } = (await rest("GET", `/channels/${channel}/users`)).json() as { users: Array<{ id: string }> };
    expect(users.map((user) => user.id).sort()).toEqual(["kept-1", "kept-2"]);
    const state = await rest("GET", `/channels/${channel}`, { params: { info: "user_count,subscription_count" } });
    expect(state.json()).toEqual({ occupied: true, user_count: 2, subscription_count: 2 });
  });

  it("refuses channels that are not presence channels (400)", async () => {
    await expectRefusal(
      rest("GET", "/channels/private-room/users"),
      400,
      "Users can only be listed for presence channels, and 'private-room' is not one",
    );
  });
});

describe("POST /users/{user_id}/terminate_connections", () => {
  it("closes every socket of the user with 4009 and ends its subscriptions and memberships at once", async () => {
    const presence = unique("presence-term-");
    const open = unique("term-");
    const user = unique("leaver-");
    const [tab1, tab2, observer, bystander] = await Promise.all([connect(), connect(), connect(), connect()]);
    for (const tab of [tab1, tab2]) {
      await signIn(tab, user);
      await subscribe(tab, presence, { user_id: user });
      await subscribe(tab, open);
    }
    await signIn(bystander, unique("stayer-"));
    await subscribe(bystander, open);
    await subscribe(observer, presence, { user_id: "observer" });
    // observer joined after the user, so it saw no member_added for it; its own is sent to the tabs.

    const response = await rest("POST", `/users/${user}/terminate_connections`, { body: {} });
    expect({ status: response.status, body: response.text }).toEqual({ status: 200, body: "{}" });

    for (const tab of [tab1, tab2]) {
      expect(await tab.nextEvent("pusher:error")).toEqual({
        event: "pusher:error",
        data: { code: 4009, message: "Connection terminated by the app" },
      });
      expect((await tab.waitClosed()).code).toBe(4009);
    }
    expect(await observer.nextEvent("pusher_internal:member_removed")).toEqual({
      event: "pusher_internal:member_removed",
      channel: presence,
      data: JSON.stringify({ user_id: user }),
    });
    expect((await rest("GET", `/channels/${presence}/users`)).json()).toEqual({ users: [{ id: "observer" }] });
    const counts = await rest("GET", `/channels/${open}`, { params: { info: "subscription_count" } });
    expect(counts.json()).toEqual({ occupied: true, subscription_count: 1 });
    // Other users' sockets are untouched.
    expect((await trigger(open, "still-open", "1")).status).toBe(200);
    expect(await bystander.next()).toEqual({ event: "still-open", channel: open, data: "1" });
  });

  it("has removed the user's rows and memberships when the call returns, before any close arrives", async () => {
    const presence = unique("presence-at-once-");
    const user = unique("instant-");
    const socket = await connect();
    await signIn(socket, user);
    await subscribe(socket, presence, { user_id: user });
    const after = await runInDurableObject(await holderOf(socket.socketId), async (instance: Beacon, state) => {
      // Nothing else runs inside this callback, so webSocketClose cannot have cleaned up yet.
      const terminated = await instance.terminateUserConnections(APP_ID, user);
      const closed = terminated.ok ? terminated.value : terminated.error;
      instance.settleWrites();
      const rows = state.storage.sql
        .exec<{ n: number }>("SELECT count(*) AS n FROM subscriptions WHERE socket_id = ?", socket.socketId)
        .one().n;
      return { closed, rows, users: await instance.channelUsers(APP_ID, presence) };
    });
    expect(after).toEqual({ closed: 1, rows: 0, users: { ok: true, value: [] } });
    expect((await socket.waitClosed()).code).toBe(4009);
  });

  it("does not serve a frame that arrives from a terminated socket before its close", async () => {
    const user = unique("late-");
    const socket = await connect();
    await signIn(socket, user);
    const late = unique("late-channel-");
    const rows = await runInDurableObject(await holderOf(socket.socketId), async (instance: Beacon, state) => {
      await instance.terminateUserConnections(APP_ID, user);
      const ws = heldSocket(state, socket.socketId);
      await instance.webSocketMessage(ws, JSON.stringify({ event: "pusher:subscribe", data: { channel: late } }));
      instance.settleWrites();
      return state.storage.sql
        .exec<{ n: number }>("SELECT count(*) AS n FROM subscriptions WHERE socket_id = ?", socket.socketId)
        .one().n;
    });
    expect(rows).toBe(0);
    expect((await rest("GET", `/channels/${late}`)).json()).toEqual({ occupied: false });
    // The socket heard only why it was closed: nothing about the late frame.
    expect(((await socket.next()).data as { code: number }).code).toBe(4009);
    expect((await socket.waitClosed()).code).toBe(4009);
    await expect(socket.next()).rejects.toThrow("socket closed");
  });

  it("finds the user's sockets after the Beacon was evicted (hibernation)", async () => {
    const user = unique("hibernated-");
    const socket = await connect();
    await signIn(socket, user);
    await hibernateApp(APP_ID, `#server-to-user-${user}`);
    expect((await rest("POST", `/users/${user}/terminate_connections`, { body: {} })).status).toBe(200);
    expect((await socket.nextEvent("pusher:error")).data).toEqual({
      code: 4009,
      message: "Connection terminated by the app",
    });
    expect((await socket.waitClosed()).code).toBe(4009);
  });

  it("answers {} for a user with no sockets", async () => {
    const response = await rest("POST", `/users/${unique("nobody-")}/terminate_connections`, { body: {} });
    expect(response.json()).toEqual({});
  });

  it("leaves sockets that only joined presence under that user id, without signing in", async () => {
    const channel = unique("presence-unsigned-");
    const socket = await connect();
    await subscribe(socket, channel, { user_id: "not-signed-in" });
    expect((await rest("POST", "/users/not-signed-in/terminate_connections", { body: {} })).status).toBe(200);
    await socket.expectSilence();
  });

  it("refuses a user id longer than 128 characters (400)", async () => {
    await expectRefusal(
      rest("POST", `/users/${"u".repeat(129)}/terminate_connections`, { body: {} }),
      400,
      "A user id must be 1 to 128 characters long",
    );
  });
});
