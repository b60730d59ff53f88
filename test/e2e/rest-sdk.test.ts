import { describe, expect, inject, it, vi } from "vitest";
import { backend, client, connected, disconnectAfterEach, once, subscribed, uniqueName } from "./support/clients";

const track = disconnectAfterEach();

type Bindable = Parameters<typeof once>[0];

/** Collects every `event` on the emitters, in arrival order; `until(n)` waits for n of them (at most 5 s). */
function record(
  emitters: Bindable | Bindable[],
  event: string,
  tag: (data: unknown, index: number) => unknown = (data) => data,
) {
  const seen: unknown[] = [];
  const waiters: Array<() => void> = [];
  for (const [index, emitter] of (Array.isArray(emitters) ? emitters : [emitters]).entries()) {
    emitter.bind(event, (data) => {
      seen.push(tag(data, index));
      for (const wake of waiters.splice(0)) wake();
    });
  }
  const until = async (count: number) => {
    const deadline = Date.now() + 5000;
    while (seen.length < count) {
      if (Date.now() > deadline) throw new Error(`only ${seen.length} of ${count} ${event} events arrived`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return seen;
  };
  return { seen, until };
}

/** A pusher-js client that signs in as `id` through the SDK's authenticateUser, as an app's endpoint would. */
async function signedIn(id: string) {
  const pusher = track(client({ user: { id } }));
  await connected(pusher);
  pusher.signin();
  await pusher.user.signinDonePromise;
  expect(pusher.user.user_data).toEqual({ id });
  await once(pusher.user.serverToUserChannel, "pusher:subscription_succeeded");
  return pusher;
}

describe("the pusher SDK against Sower: triggering", () => {
  it("delivers to a pusher-js subscriber exactly what the SDK sent", async () => {
    const name = uniqueName("sdk-exact-");
    const pusher = track(client());
    await connected(pusher);
    const channel = await subscribed(pusher, name);
    const text = 'plain "text", ünïcødé, not JSON {';
    const object = { nested: { list: [1, "two", null] }, emoji: "🚀" };
    const received = once(channel, "as-text");
    await backend().trigger(name, "as-text", text);
    expect(await received).toBe(text);
    const decoded = once(channel, "as-object");
    await backend().trigger(name, "as-object", object);
    expect(await decoded).toEqual(object);
  });

  it("reaches public, private and presence subscribers in one trigger", async () => {
    const names = [uniqueName("sdk-public-"), uniqueName("private-sdk-"), uniqueName("presence-sdk-")];
    const pusher = track(client({ presence: { user_id: "alice", user_info: { name: "Alice" } } }));
    await connected(pusher);
    const channels = await Promise.all(names.map((name) => subscribed(pusher, name)));
    const arrivals = channels.map((channel) => once(channel, "fan-out"));
    const response = await backend().trigger(names, "fan-out", { hello: "everyone" });
    expect(await response.json()).toEqual({});
    expect(await Promise.all(arrivals)).toEqual(names.map(() => ({ hello: "everyone" })));
    const text = '  spaces kept, \\ backslash, "quotes", line\nbreak  ';
    const texts = channels.map((channel) => once(channel, "as-text"));
    await backend().trigger(names, "as-text", text);
    expect(await Promise.all(texts)).toEqual(names.map(() => text));
  });

  it("leaves out the connection whose socket_id is given", async () => {
    const name = uniqueName("sdk-exclude-");
    const [sender, other] = [track(client()), track(client())];
    await Promise.all([connected(sender), connected(other)]);
    const [senderChannel, otherChannel] = await Promise.all([subscribed(sender, name), subscribed(other, name)]);
    const senderSaw = record(senderChannel, "update");
    const otherSaw = record(otherChannel, "update");
    await backend().trigger(name, "update", "first", { socket_id: sender.connection.socket_id });
    await backend().trigger(name, "update", "second");
    // Events on a channel arrive in order, so once "second" is in, "first" would have been too.
    expect(await senderSaw.until(1)).toEqual(["second"]);
    expect(await otherSaw.until(2)).toEqual(["first", "second"]);
  });

  it("answers info with counts per channel", async () => {
    const name = uniqueName("presence-sdk-info-");
    const [a, b] = [
      track(client({ presence: { user_id: "u1", user_info: {} } })),
      track(client({ presence: { user_id: "u1", user_info: {} } })),
    ];
    await Promise.all([connected(a), connected(b)]);
    await Promise.all([subscribed(a, name), subscribed(b, name)]);
    const response = await backend().trigger(name, "counted", "{}", { info: "user_count,subscription_count" });
    expect(await response.json()).toEqual({ channels: { [name]: { user_count: 1, subscription_count: 2 } } });
  });

  it("triggers a batch in order, with info per event", async () => {
    const [first, second] = [uniqueName("sdk-batch-a-"), uniqueName("sdk-batch-b-")];
    const pusher = track(client());
    await connected(pusher);
    const channels = await Promise.all([subscribed(pusher, first), subscribed(pusher, second)]);
    const seen = record(channels, "step", (data, index) => `${index === 0 ? first : second}:${data}`);
    const response = await backend().triggerBatch([
      { channel: first, name: "step", data: "1" },
      { channel: second, name: "step", data: "2", info: "subscription_count" },
      { channel: first, name: "step", data: "3" },
    ]);
    expect(await response.json()).toEqual({ batch: [{}, { subscription_count: 1 }, {}] });
    expect(await seen.until(3)).toEqual([`${first}:1`, `${second}:2`, `${first}:3`]);
  });

  it("sends to a signed-in user with sendToUser", async () => {
    const id = uniqueName("sdk-user-");
    const pusher = await signedIn(id);
    const arrived = once(pusher.user, "private-note");
    await backend().sendToUser(id, "private-note", { for: id });
    expect(await arrived).toEqual({ for: id });
  });
});

describe("the pusher SDK against Sower: queries", () => {
  it("gets /channels with a prefix and user_count", async () => {
    const prefix = uniqueName("presence-sdk-list-");
    const [a, b] = [
      track(client({ presence: { user_id: "x", user_info: {} } })),
      track(client({ presence: { user_id: "y", user_info: {} } })),
    ];
    await Promise.all([connected(a), connected(b)]);
    await Promise.all([subscribed(a, `${prefix}-1`), subscribed(b, `${prefix}-1`), subscribed(b, `${prefix}-2`)]);
    const response = await backend().get({
      path: "/channels",
      params: { filter_by_prefix: prefix, info: "user_count" },
    });
    expect(await response.json()).toEqual({
      channels: { [`${prefix}-1`]: { user_count: 2 }, [`${prefix}-2`]: { user_count: 1 } },
    });
  });

  it("gets one channel's state and a presence channel's users", async () => {
    const name = uniqueName("presence-sdk-one-");
    const pusher = track(client({ presence: { user_id: "only-one", user_info: { role: "admin" } } }));
    await connected(pusher);
    await subscribed(pusher, name);
    const state = await backend().get({
      path: `/channels/${name}`,
      params: { info: "user_count,subscription_count" },
    });
    expect(await state.json()).toEqual({ occupied: true, user_count: 1, subscription_count: 1 });
    const users = await backend().get({ path: `/channels/${name}/users` });
    expect(await users.json()).toEqual({ users: [{ id: "only-one" }] });
    const empty = await backend().get({ path: `/channels/${uniqueName("sdk-empty-")}` });
    expect(await empty.json()).toEqual({ occupied: false });
  });
});

describe("the pusher SDK against Sower: terminating a user", () => {
  it("closes the user's pusher-js connection with 4009, and pusher-js does not reconnect", async () => {
    const id = uniqueName("sdk-terminated-");
    const pusher = await signedIn(id);
    const errors: Array<{ type?: string; data?: { code?: number } }> = [];
    pusher.connection.bind("error", (error: { type?: string; data?: { code?: number } }) => errors.push(error));
    const disconnected = once(pusher.connection, "disconnected");
    const response = await backend().terminateUserConnections(id);
    expect(await response.json()).toEqual({});
    await disconnected;
    expect(errors.map((error) => error.data?.code)).toContain(4009);
    expect(pusher.connection.state).toBe("disconnected");
    const users = await backend().get({ path: `/channels/%23server-to-user-${id}` });
    expect(await users.json()).toEqual({ occupied: false });
  });
});

describe("the pusher SDK against Sower: failures the SDK surfaces", () => {
  it("401 for a wrong secret", async () => {
    const wrong = backend(inject("sower"), { secret: "definitely-not-the-secret" });
    await expect(wrong.trigger(uniqueName("sdk-"), "e", "x")).rejects.toMatchObject({
      status: 401,
      body: expect.stringContaining("Invalid signature"),
    });
  });

  it("401 for a stale timestamp", async () => {
    const now = Date.now();
    const clock = vi.spyOn(Date, "now").mockReturnValue(now - 11 * 60 * 1000);
    try {
      await expect(backend().trigger(uniqueName("sdk-"), "e", "x")).rejects.toMatchObject({
        status: 401,
        body: expect.stringContaining("Timestamp expired"),
      });
    } finally {
      clock.mockRestore();
    }
  });

  it("413 for data over 10 KB", async () => {
    await expect(backend().trigger(uniqueName("sdk-"), "e", "x".repeat(10 * 1024 + 1))).rejects.toMatchObject({
      status: 413,
      body: expect.stringContaining("at most 10240 bytes"),
    });
  });

  it("400 for more than 100 channels or more than 10 batch events", async () => {
    // trigger() refuses over 100 channels itself, so the request is signed by the SDK and sent raw, as another SDK might.
    const { host, port, appId } = inject("sower");
    const path = `/apps/${appId}/events`;
    const body = JSON.stringify({ name: "e", data: "x", channels: Array.from({ length: 101 }, (_, i) => `sdk-${i}`) });
    const query = backend().createSignedQueryString({ method: "POST", path, body });
    const response = await fetch(`http://${host}:${port}${path}?${query}`, { method: "POST", body });
    expect({ status: response.status, text: await response.text() }).toEqual({
      status: 400,
      text: "An event may go to at most 100 channels\n",
    });
    // triggerBatch sends any number of events.
    const batch = Array.from({ length: 11 }, () => ({ channel: uniqueName("sdk-"), name: "e", data: "x" }));
    await expect(backend().triggerBatch(batch)).rejects.toMatchObject({
      status: 400,
      body: "A batch may hold at most 10 events\n",
    });
  });

  it("400 for user_count on a public channel", async () => {
    await expect(backend().trigger(uniqueName("sdk-"), "e", "x", { info: "user_count" })).rejects.toMatchObject({
      status: 400,
      body: expect.stringContaining("only available for presence channels"),
    });
  });
});
