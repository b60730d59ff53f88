import type { Channel, Members, PresenceChannel } from "pusher-js";
import { afterEach, describe, expect, inject, it } from "vitest";
import WebSocket from "ws";
import { backend, client, connected, disconnectAfterEach, once, subscribed, uniqueName } from "./support/clients";

/**
 * Names every plain JavaScript object answers to. The server keeps them as
 * names; what a client library can do with them is its own affair.
 */
const PROTOTYPE_NAMES = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty"] as const;

const track = disconnectAfterEach();

interface WireFrame {
  event: string;
  channel?: string;
  data?: unknown;
}

/**
 * pusher-js keeps its channels in a plain object, so `subscribe("constructor")`
 * finds Object itself and fails; only `prototype` of these names is a channel
 * it can hold. A bare socket subscribes to the others, as other clients may.
 */
class BareSocket {
  private readonly frames: WireFrame[] = [];
  private readonly waiters: Array<() => void> = [];

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (raw) => {
      this.frames.push(JSON.parse(String(raw)));
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static async open(): Promise<BareSocket> {
    const { host, port, key } = inject("sower");
    const ws = new WebSocket(`ws://${host}:${port}/app/${key}?protocol=7`);
    const socket = new BareSocket(ws);
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    expect((await socket.next()).event).toBe("pusher:connection_established");
    return socket;
  }

  async next(ms = 5000): Promise<WireFrame> {
    const deadline = Date.now() + ms;
    while (this.frames.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("timed out waiting for a frame");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    const frame = this.frames.shift();
    if (frame === undefined) throw new Error("no frame");
    return frame;
  }

  async subscribe(channel: string): Promise<void> {
    this.ws.send(JSON.stringify({ event: "pusher:subscribe", data: { channel } }));
    expect(await this.next()).toEqual({ event: "pusher_internal:subscription_succeeded", channel, data: "{}" });
  }

  close(): void {
    this.ws.close(1000);
  }
}

const bare: BareSocket[] = [];
afterEach(() => {
  for (const socket of bare.splice(0)) socket.close();
});

async function bareSubscribed(channel: string): Promise<BareSocket> {
  const socket = await BareSocket.open();
  bare.push(socket);
  await socket.subscribe(channel);
  return socket;
}

/** An object with these own keys, as JSON.parse builds one (`{ __proto__: x }` would set the prototype). */
function keyed<T>(entries: ReadonlyArray<readonly [string, T]>): Record<string, T> {
  return Object.fromEntries(entries);
}

/** pusher-js returns a PresenceChannel for presence- names; its type says only Channel. */
function isPresence(channel: Channel | undefined): channel is PresenceChannel {
  return channel !== undefined && "members" in channel;
}

function membersOf(channel: Channel | undefined): Members {
  if (!isPresence(channel)) throw new Error("not a presence channel");
  return channel.members;
}

describe("channels named after Object prototype keys, through the pusher SDK", () => {
  it("trigger answers their counts, and subscribers get the events", async () => {
    const socket = await bareSubscribed("__proto__");
    const response = await backend().trigger(
      [...PROTOTYPE_NAMES],
      "constructor",
      { n: 1 },
      {
        info: "subscription_count",
      },
    );
    const counts = PROTOTYPE_NAMES.map((name) => [name, { subscription_count: name === "__proto__" ? 1 : 0 }] as const);
    expect(await response.text()).toBe(JSON.stringify({ channels: keyed(counts) }));
    expect(await socket.next()).toEqual({ event: "constructor", channel: "__proto__", data: '{"n":1}' });
  });

  it("triggerBatch answers counts per event", async () => {
    const socket = await bareSubscribed("toString");
    const response = await backend().triggerBatch(
      PROTOTYPE_NAMES.map((channel) => ({
        channel,
        name: "hasOwnProperty",
        data: channel,
        info: "subscription_count",
      })),
    );
    expect(await response.json()).toEqual({
      batch: PROTOTYPE_NAMES.map((name) => ({ subscription_count: name === "toString" ? 1 : 0 })),
    });
    expect(await socket.next()).toEqual({ event: "hasOwnProperty", channel: "toString", data: "toString" });
  });

  it("get lists them while they are occupied", async () => {
    for (const channel of PROTOTYPE_NAMES) {
      const socket = await bareSubscribed(channel);
      const response = await backend().get({
        path: "/channels",
        params: { filter_by_prefix: channel, info: "subscription_count" },
      });
      expect(await response.text()).toBe(JSON.stringify({ channels: keyed([[channel, { subscription_count: 1 }]]) }));
      socket.close();
    }
  });
});

describe("pusher-js with names that are Object prototype keys", () => {
  it("receives events so named on a channel named prototype", async () => {
    const pusher = track(client());
    await connected(pusher);
    const channel = await subscribed(pusher, "prototype");
    for (const name of PROTOTYPE_NAMES) {
      const received = once(channel, name);
      await backend().trigger("prototype", name, { name });
      expect(await received).toEqual({ name });
    }
  });

  it("lists presence members so named from the hash it is given", async () => {
    const name = uniqueName("presence-prototype-");
    let last: Channel | undefined;
    for (const userId of PROTOTYPE_NAMES) {
      const pusher = track(client({ presence: { user_id: userId, user_info: { name: userId } } }));
      await connected(pusher);
      last = await subscribed(pusher, name);
    }
    // The last to join learns every member from the subscription's hash.
    const members = membersOf(last);
    expect(members.count).toBe(PROTOTYPE_NAMES.length);
    for (const userId of PROTOTYPE_NAMES) expect(members.get(userId)).toEqual({ id: userId, info: { name: userId } });
    const listed: string[] = [];
    members.each((member: { id: string }) => listed.push(member.id));
    expect(listed.sort()).toEqual([...PROTOTYPE_NAMES].sort());
  });

  it("is sent member_added for a user named __proto__ exactly as for any user", async () => {
    const name = uniqueName("presence-prototype-added-");
    const watcher = track(client({ presence: { user_id: "watcher", user_info: {} } }));
    await connected(watcher);
    await subscribed(watcher, name);
    const wire: WireFrame[] = [];
    watcher.connection.bind("message", (frame: WireFrame) => {
      if (frame.event === "pusher_internal:member_added") wire.push(frame);
    });
    const added = once(watcher.channel(name), "pusher:member_added");
    const joiner = track(client({ presence: { user_id: "__proto__", user_info: { name: "proto" } } }));
    await connected(joiner);
    await subscribed(joiner, name);
    // pusher-js stores members with `members[id] = info`, which for __proto__ replaces the
    // object's prototype: it announces the member as null. The wire carries it in full.
    await added;
    expect(wire).toEqual([
      {
        event: "pusher_internal:member_added",
        channel: name,
        data: { user_id: "__proto__", user_info: { name: "proto" } },
      },
    ]);
  });
});
