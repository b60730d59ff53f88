import { describe, expect, it } from "vitest";
import { appRest } from "./support/app-rest";
import { connectApp, openAppSocket, subscribeApp } from "./support/app-sockets";
import { PROTOTYPE_NAMED_APP } from "./support/apps";
import { connectSignedIn, signIn as signInAs } from "./support/auth";
import { beacon, memberAdded, subscribe as subscribeMember, unique } from "./support/channels";
import { hibernate } from "./support/eviction";
import { rest, subscribe } from "./support/rest";
import { connect, expectRefused, type TestSocket } from "./support/socket";

/**
 * Names every plain JavaScript object answers to. Channels, users, events and
 * apps may be called so; each must stay a name and never reach an object's
 * prototype (`obj["__proto__"] = x` replaces the prototype instead of adding a key).
 */
const PROTOTYPE_NAMES = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty"] as const;

/**
 * An object with these own keys, as JSON.parse builds one. An object literal
 * would not do: `{ __proto__: x }` sets the prototype.
 */
function keyed<T>(entries: ReadonlyArray<readonly [string, T]>): Record<string, T> {
  return Object.fromEntries(entries);
}

/** Unsubscribes and waits until the Beacon has applied it, so later counts do not see the socket. */
async function leave(socket: TestSocket, channel: string): Promise<void> {
  socket.send({ event: "pusher:unsubscribe", data: { channel } });
  await socket.expectSilence();
}

describe("channels named after Object prototype keys", () => {
  it("are listed by GET /channels while subscribed, with and without counts", async () => {
    for (const channel of PROTOTYPE_NAMES) {
      const socket = await connect();
      await subscribe(socket, channel);
      const plain = await rest("GET", "/channels", { params: { filter_by_prefix: channel } });
      expect({ status: plain.status, text: plain.text }).toEqual({
        status: 200,
        text: JSON.stringify({ channels: keyed([[channel, {}]]) }),
      });
      const counted = await rest("GET", "/channels", {
        params: { filter_by_prefix: channel, info: "subscription_count" },
      });
      expect({ status: counted.status, text: counted.text }).toEqual({
        status: 200,
        text: JSON.stringify({ channels: keyed([[channel, { subscription_count: 1 }]]) }),
      });
      const one = await rest("GET", `/channels/${channel}`, { params: { info: "subscription_count" } });
      expect(one.json()).toEqual({ occupied: true, subscription_count: 1 });
      await leave(socket, channel);
    }
  });

  it("get their counts from POST /events with info, with and without subscribers", async () => {
    const socket = await connect();
    await subscribe(socket, "constructor");
    const response = await rest("POST", "/events", {
      body: { name: "hello", data: "{}", channels: PROTOTYPE_NAMES, info: "subscription_count" },
    });
    const counts = PROTOTYPE_NAMES.map(
      (name) => [name, { subscription_count: name === "constructor" ? 1 : 0 }] as const,
    );
    expect({ status: response.status, text: response.text }).toEqual({
      status: 200,
      text: JSON.stringify({ channels: keyed(counts) }),
    });
    expect(await socket.next()).toEqual({ event: "hello", channel: "constructor", data: "{}" });
    await leave(socket, "constructor");
  });

  it("get their counts from POST /batch_events with info, and {} where none was asked", async () => {
    const socket = await connect();
    await subscribe(socket, "__proto__");
    const batch = [
      ...PROTOTYPE_NAMES.map((channel) => ({ name: "batched", channel, data: channel, info: "subscription_count" })),
      { name: "batched", channel: "toString", data: "no info" },
    ];
    const response = await rest("POST", "/batch_events", { body: { batch } });
    expect({ status: response.status, text: response.text }).toEqual({
      status: 200,
      text: JSON.stringify({
        batch: [...PROTOTYPE_NAMES.map((name) => ({ subscription_count: name === "__proto__" ? 1 : 0 })), {}],
      }),
    });
    expect(await socket.next()).toEqual({ event: "batched", channel: "__proto__", data: "__proto__" });
    await socket.expectSilence();
    await leave(socket, "__proto__");
  });

  it("carry events named after Object prototype keys", async () => {
    const socket = await connect();
    await subscribe(socket, "prototype");
    for (const name of PROTOTYPE_NAMES) {
      expect((await rest("POST", "/events", { body: { name, data: name, channel: "prototype" } })).status).toBe(200);
      expect(await socket.next()).toEqual({ event: name, channel: "prototype", data: name });
    }
    await leave(socket, "prototype");
  });
});

describe("presence members whose user_id is an Object prototype key", () => {
  interface Member {
    user_id: string;
    user_info: { name: string };
  }
  const member = (userId: string): Member => ({ user_id: userId, user_info: { name: userId } });
  const members = [...PROTOTYPE_NAMES, "bob"].map(member);

  /**
   * The roster a joiner decodes, as sorted entries: the order is not part of
   * the protocol (a woken Beacon rebuilds it from SQLite), the keys are.
   */
  function expectRoster(snapshot: unknown, expected: readonly Member[]): void {
    expect(snapshot).toEqual({
      presence: { ids: expect.any(Array), hash: expect.any(Object), count: expected.length },
    });
    const { presence } = snapshot as { presence: { ids: string[]; hash: Record<string, unknown> } };
    const byName = (a: readonly [string, unknown], b: readonly [string, unknown]) => (a[0] < b[0] ? -1 : 1);
    expect([...presence.ids].sort()).toEqual(expected.map((one) => one.user_id).sort());
    expect(Object.entries(presence.hash).sort(byName)).toEqual(
      expected.map((one) => [one.user_id, one.user_info] as const).sort(byName),
    );
  }

  it("are in the hash every joiner receives, in the users list and in user_count, also after eviction", async () => {
    const channel = unique("presence-prototype-");
    const sockets: TestSocket[] = [];
    for (const one of members) {
      const socket = await connect();
      await subscribeMember(socket, channel, one);
      sockets.push(socket);
    }
    const [first] = sockets;
    for (const one of members.slice(1)) {
      expect(await first?.next()).toEqual(memberAdded(channel, one.user_id, one.user_info));
    }

    const late = member("late");
    expectRoster(await subscribeMember(await connect(), channel, late), [...members, late]);
    const users = await rest("GET", `/channels/${channel}/users`);
    expect(users.json()).toEqual({ users: [...members, late].map((one) => ({ id: one.user_id })) });
    const counted = await rest("GET", "/channels", { params: { filter_by_prefix: channel, info: "user_count" } });
    expect(counted.text).toBe(JSON.stringify({ channels: keyed([[channel, { user_count: members.length + 1 }]]) }));

    await hibernate(beacon());
    const woken = member("woken");
    expectRoster(await subscribeMember(await connect(), channel, woken), [...members, late, woken]);
  });
});

describe("users named after Object prototype keys", () => {
  it("are watched, reached through #server-to-user- and terminated like any user", async () => {
    const watcher = await connectSignedIn({ id: unique("watcher-"), watchlist: [...PROTOTYPE_NAMES] });
    const online: TestSocket[] = [];
    for (const id of PROTOTYPE_NAMES) {
      const socket = await connect();
      await signInAs(socket, { id });
      expect(await watcher.next()).toEqual({
        event: "pusher_internal:watchlist_events",
        data: JSON.stringify({ events: [{ name: "online", user_ids: [id] }] }),
      });
      const channel = `#server-to-user-${id}`;
      await subscribe(socket, channel);
      expect((await rest("POST", "/events", { body: { name: "direct", data: id, channel } })).status).toBe(200);
      expect(await socket.next()).toEqual({ event: "direct", channel, data: id });
      online.push(socket);
    }
    for (const [index, id] of PROTOTYPE_NAMES.entries()) {
      const response = await rest("POST", `/users/${id}/terminate_connections`, { body: {} });
      expect({ status: response.status, text: response.text }).toEqual({ status: 200, text: "{}" });
      expect((await online[index]?.waitClosed())?.code).toBe(4009);
      expect(await watcher.next()).toEqual({
        event: "pusher_internal:watchlist_events",
        data: JSON.stringify({ events: [{ name: "offline", user_ids: [id] }] }),
      });
    }
  });
});

describe("apps whose id and key are Object prototype keys", () => {
  const app = PROTOTYPE_NAMED_APP;

  it("serve sockets and REST calls like any app", async () => {
    const socket = await connectApp(app.key);
    await subscribeApp(socket, app, "hasOwnProperty");
    const triggered = await appRest(app, "POST", "/events", {
      body: { name: "toString", data: "{}", channel: "hasOwnProperty", info: "subscription_count" },
    });
    expect({ status: triggered.status, text: triggered.text }).toEqual({
      status: 200,
      text: JSON.stringify({ channels: keyed([["hasOwnProperty", { subscription_count: 1 }]]) }),
    });
    expect(await socket.next()).toEqual({ event: "toString", channel: "hasOwnProperty", data: "{}" });
    const listed = await appRest(app, "GET", "/channels");
    expect(listed.text).toBe(JSON.stringify({ channels: keyed([["hasOwnProperty", {}]]) }));
    const stats = await appRest(app, "GET", "/stats");
    expect(JSON.parse(stats.text)).toMatchObject({ app_id: "__proto__", connections: 1, channels: 1 });
    socket.ws.close(1000);
  });

  it("are unknown when not configured, whatever an object inherits", async () => {
    for (const name of ["toString", "hasOwnProperty", "prototype", "valueOf"]) {
      await expectRefused(await openAppSocket(name), 4001, "App key not found");
      const response = await appRest(
        { id: name, key: name, secret: "unknown-app-secret-0123456789" },
        "GET",
        "/channels",
      );
      expect({ status: response.status, text: response.text }).toEqual({
        status: 404,
        text: `Unknown app id '${name}'\n`,
      });
    }
  });
});
