import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Beacon } from "../../src/beacon/beacon";
import { WebhookOutbox } from "../../src/beacon/state/webhook-outbox";
import { DELIVERY } from "../../src/beacon/webhooks/delivery-policy";
import { hmacHex } from "../support/rest-signer";
import { presenceChat, presenceStay, privateClientPing } from "../support/webhook-events";
import { beacon, heldSocket, unique } from "./support/channels";
import { hibernateApp, holderOf, hubOf, sharded, webhookHolders } from "./support/objects";
import { subscribe as subscribeSigned, trigger } from "./support/rest";
import { APP_ID, APP_KEY, APP_SECRET, connect, type TestSocket } from "./support/socket";
import {
  ALL_EVENTS_URL,
  COUNTS_URL,
  PRESENCE_VACATED_URL,
  poll,
  settled,
  WebhookRecorder,
  type WireEvent,
} from "./support/webhooks";

let recorder: WebhookRecorder;
let restore: () => void;
const sockets: TestSocket[] = [];

beforeEach(() => {
  recorder = new WebhookRecorder();
  restore = recorder.install();
});
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.ws.close();
  restore();
});

/** Channels ending in -wh are the only ones the integration tier's endpoints follow. */
function channelName(prefix: string): string {
  return `${unique(prefix)}-wh`;
}

async function open(): Promise<TestSocket> {
  const socket = await connect();
  sockets.push(socket);
  return socket;
}

/** Subscribes, signed where the channel needs it; on presence channels as `userId`. */
async function subscribe(socket: TestSocket, channel: string, userId?: string): Promise<void> {
  const member = userId === undefined ? undefined : { user_id: userId, user_info: { name: userId } };
  await subscribeSigned(socket, channel, member);
}

function unsubscribe(socket: TestSocket, channel: string): void {
  socket.send({ event: "pusher:unsubscribe", data: { channel } });
}

/** Waits until the Beacon (or the channel's hub) holds a leave, or other webhook work: the close has been handled. */
async function workPending(channel: string): Promise<void> {
  await poll(2000, "webhook work to be queued", async () => {
    for (const holder of webhookHolders(channel)) {
      const queued = await runInDurableObject(holder, (_, state) => new WebhookOutbox(state.storage.sql).nextDueAt());
      if (queued !== undefined) return true;
    }
    return undefined;
  });
}

describe("webhook requests", () => {
  it("post channel_occupied signed with the app secret, with exactly application/json", async () => {
    const socket = await open();
    const channel = channelName("room-");
    await subscribe(socket, channel);
    expect(await recorder.waitFor(ALL_EVENTS_URL, channel, 1)).toEqual([{ name: "channel_occupied", channel }]);
    const [delivery] = recorder.requests(ALL_EVENTS_URL, channel);
    expect(delivery?.headers["content-type"]).toBe("application/json");
    expect(delivery?.headers["x-pusher-key"]).toBe(APP_KEY);
    // Computed with the tests' own signer rather than the server's helper, so the check is independent.
    expect(delivery?.headers["x-pusher-signature"]).toBe(await hmacHex(APP_SECRET, delivery?.body ?? ""));
    expect(JSON.parse(delivery?.body ?? "{}").time_ms).toEqual(expect.any(Number));
  });

  it("report presence members and client events with socket_id and user_id", async () => {
    const alice = await open();
    const bob = await open();
    const channel = channelName("presence-");
    await subscribe(alice, channel, "alice");
    await subscribe(bob, channel, "bob");
    alice.send({ event: "client-typing", channel, data: { typing: true } });
    const events = await recorder.waitFor(ALL_EVENTS_URL, channel, 4);
    expect(events).toEqual(presenceChat(channel, alice.socketId));
  });

  it("report private-channel client events without user_id", async () => {
    const sender = await open();
    const channel = channelName("private-");
    await subscribe(sender, channel);
    sender.send({ event: "client-ping", channel, data: { n: 1 } });
    const events = await recorder.waitFor(ALL_EVENTS_URL, channel, 2);
    // On a sharded app channel_occupied comes from the channel's hub and client_event from the sender's shard,
    // two outboxes with no order between them (docs/scaling.md).
    expect(events.find((event) => event.name === "client_event")).toEqual(privateClientPing(channel, sender.socketId));
  });

  it("go only to endpoints whose event types and channel filter match, with their extra headers", async () => {
    const socket = await open();
    const publicChannel = channelName("room-");
    const presenceChannel = channelName("presence-");
    await subscribe(socket, publicChannel);
    await subscribe(socket, presenceChannel, "carol");
    unsubscribe(socket, publicChannel);
    unsubscribe(socket, presenceChannel);
    await recorder.waitFor(ALL_EVENTS_URL, presenceChannel, 4);
    await recorder.waitFor(ALL_EVENTS_URL, publicChannel, 2);
    await settled(publicChannel, presenceChannel);
    expect(recorder.received(PRESENCE_VACATED_URL, presenceChannel)).toEqual([
      { name: "channel_vacated", channel: presenceChannel },
    ]);
    expect(recorder.requests(PRESENCE_VACATED_URL, presenceChannel)[0]?.headers.authorization).toBe(
      "Bearer integration-token",
    );
    expect(recorder.requests(PRESENCE_VACATED_URL, publicChannel)).toEqual([]);
  }, 15_000);
});

describe("cache misses and subscription counts", () => {
  it("report a cache miss to the backend as well as to the subscriber", async () => {
    const socket = await open();
    const channel = channelName("cache-");
    socket.send({ event: "pusher:subscribe", data: { channel, auth: "" } });
    await socket.nextEvent("pusher:cache_miss");
    expect(await recorder.waitFor(COUNTS_URL, channel, 1)).toEqual([{ name: "cache_miss", channel }]);
  });

  it("report settled subscription counts, down to 0, even when subscribers are not told", async () => {
    const first = await open();
    const second = await open();
    const channel = channelName("room-");
    await subscribe(first, channel);
    await subscribe(second, channel);
    expect(await recorder.waitFor(COUNTS_URL, channel, 1)).toEqual([
      { name: "subscription_count", channel, subscription_count: 2 },
    ]);
    unsubscribe(first, channel);
    unsubscribe(second, channel);
    expect((await recorder.waitFor(COUNTS_URL, channel, 2))[1]).toEqual({
      name: "subscription_count",
      channel,
      subscription_count: 0,
    });
    // This app has not opted in to subscription_count events for clients.
    await second.expectSilence();
  });
});

describe("the leave grace period", () => {
  it("sends channel_vacated and member_removed once, after the grace period", async () => {
    const socket = await open();
    const channel = channelName("presence-");
    await subscribe(socket, channel, "dave");
    await recorder.waitFor(ALL_EVENTS_URL, channel, 2);
    socket.ws.close();
    expect(await recorder.waitFor(ALL_EVENTS_URL, channel, 4)).toEqual(presenceStay(channel, "dave"));
    await settled(channel);
    expect(recorder.received(ALL_EVENTS_URL, channel)).toHaveLength(4);
  }, 15_000);

  it("drops a leave and its re-join when the user comes back within the grace period", async () => {
    const first = await open();
    const channel = channelName("presence-");
    await subscribe(first, channel, "erin");
    await recorder.waitFor(ALL_EVENTS_URL, channel, 2);
    // A page reload: the old socket goes, a new one joins as the same user.
    first.ws.close();
    await workPending(channel);
    const second = await open();
    await subscribe(second, channel, "erin");
    await settled(channel);
    expect(recorder.received(ALL_EVENTS_URL, channel)).toEqual([
      { name: "channel_occupied", channel },
      { name: "member_added", channel, user_id: "erin" },
    ]);
    // Leaving for good afterwards is reported once.
    unsubscribe(second, channel);
    await recorder.waitFor(ALL_EVENTS_URL, channel, 4);
    await settled(channel);
    expect(recorder.received(ALL_EVENTS_URL, channel).slice(2)).toEqual([
      { name: "member_removed", channel, user_id: "erin" },
      { name: "channel_vacated", channel },
    ]);
  }, 20_000);
});

describe("sockets that vanished while the Beacon was away", () => {
  it("are reported as member_removed and channel_vacated when the Beacon wakes", async () => {
    const socket = await open();
    const channel = channelName("presence-");
    await subscribe(socket, channel, "fay");
    await recorder.waitFor(ALL_EVENTS_URL, channel, 2);
    // The sockets die with the object, so no close handler ever runs for them.
    await evictDurableObject(await holderOf(socket.socketId), { webSockets: "close" });
    // What wakes the object: any new socket for a single Beacon; for a shard, anything sent to its channels.
    if (sharded()) await trigger(channel, "wake", "{}");
    else await open();
    expect(await recorder.waitFor(ALL_EVENTS_URL, channel, 4)).toEqual(presenceStay(channel, "fay"));
  }, 15_000);
});

describe("subscription rows and the webhooks that report them", () => {
  it("are written in the same step, although rows are otherwise written behind", async () => {
    const socket = await open();
    const channel = channelName("room-");
    if (sharded()) {
      // A shard writes no channel webhook: the hub does, in the same step as its record of the shard.
      // Its first delivery fails, so the row is still there to see.
      recorder.answerNext(ALL_EVENTS_URL, channel, "fail");
      await subscribe(socket, channel);
      const inHub = await runInDurableObject(hubOf(channel), (_, state) => ({
        rows: state.storage.sql.exec("SELECT shard FROM hub_shards").toArray().length,
        webhooks: state.storage.sql
          .exec(
            "SELECT event FROM webhook_outbox WHERE event = ?",
            JSON.stringify({ name: "channel_occupied", channel }),
          )
          .toArray().length,
      }));
      expect(inHub).toEqual({ rows: 1, webhooks: 1 });
    } else {
      await expectWrittenTogether(socket, channel);
    }
    expect(await recorder.waitFor(ALL_EVENTS_URL, channel, 1)).toEqual([{ name: "channel_occupied", channel }]);
    socket.ws.close();
    await recorder.waitFor(ALL_EVENTS_URL, channel, 2);
    await settled(channel);
  });
});

/** A Beacon's subscribe writes the row written behind and the webhook reporting it in one step. */
async function expectWrittenTogether(socket: TestSocket, channel: string): Promise<void> {
  const written = await runInDurableObject(beacon(), (instance: Beacon, state) => {
    const ws = heldSocket(state, socket.socketId);
    // A public subscribe is handled synchronously, so no timer can have run when it returns.
    instance.webSocketMessage(ws, JSON.stringify({ event: "pusher:subscribe", data: { channel, auth: "" } }));
    const rows = state.storage.sql
      .exec("SELECT channel FROM subscriptions WHERE socket_id = ?", socket.socketId)
      .toArray();
    const webhooks = state.storage.sql
      .exec("SELECT event FROM webhook_outbox WHERE event = ?", JSON.stringify({ name: "channel_occupied", channel }))
      .toArray();
    return { rows: rows.length, webhooks: webhooks.length };
  });
  expect(written).toEqual({ rows: 1, webhooks: 1 });
}

describe("delivery that never loses a webhook", () => {
  it("retries after HTTP 500s, keeps order and batches what queued meanwhile", async () => {
    // Requests are compared whole: earlier tests' leaves must not share them.
    await settled();
    if (sharded()) {
      await retriesInOneHub();
      return;
    }
    const socket = await open();
    const first = channelName("room-");
    const second = channelName("room-");
    recorder.answerNext(ALL_EVENTS_URL, first, "fail", "fail");
    await subscribe(socket, first);
    await recorder.waitForRequests(ALL_EVENTS_URL, first, 1);
    await subscribe(socket, second);
    const received = await recorder.waitFor(ALL_EVENTS_URL, second, 1);
    expect(received).toEqual([{ name: "channel_occupied", channel: second }]);
    const requests = recorder.requests(ALL_EVENTS_URL, first);
    expect(requests.map((request) => request.status)).toEqual([500, 500, 200]);
    // The endpoint backs off as a whole: the second event waited behind the first and shared its request.
    expect(requests[2]?.events).toEqual([
      { name: "channel_occupied", channel: first },
      { name: "channel_occupied", channel: second },
    ]);
    expect(recorder.received(ALL_EVENTS_URL, first)).toHaveLength(1);
    // time_ms is when the webhook was created: each retry keeps the first attempt's, so its delay shows.
    const created = requests.map((request) => JSON.parse(request.body).time_ms);
    expect(new Set(created).size).toBe(1);
    expect(created[0]).toBeLessThanOrEqual(requests[0]?.at ?? 0);
    expect((requests[2]?.at ?? 0) - created[0]).toBeGreaterThanOrEqual(1000);
  }, 15_000);

  it("splits a backlog into requests of at most 100 events, in order", async () => {
    // Requests are compared whole: earlier tests' leaves must not share them.
    await settled();
    if (sharded()) {
      await backlogInOneHub();
      return;
    }
    const sockets = [await open(), await open()];
    const channels = Array.from({ length: 120 }, () => channelName("room-"));
    const [first] = channels;
    if (first === undefined) throw new Error("no channels");
    const release = recorder.failUntilReleased(ALL_EVENTS_URL, first);
    await subscribe(sockets[0] as TestSocket, first);
    await recorder.waitForRequests(ALL_EVENTS_URL, first, 1);
    // Queued while the endpoint backs off, so they are all due together.
    for (const [index, channel] of channels.slice(1).entries()) {
      await subscribe(sockets[index % 2] as TestSocket, channel);
    }
    // Each event waits out a short batch window; on a busy machine the retry can come within it.
    await poll(2000, "every queued event to fall due", () =>
      runInDurableObject(beacon(), (_, state) =>
        state.storage.sql.exec("SELECT 1 FROM webhook_outbox WHERE due_at > ?", Date.now()).toArray().length === 0
          ? true
          : undefined,
      ),
    );
    release();
    const last = channels.at(-1) ?? "";
    await recorder.waitFor(ALL_EVENTS_URL, last, 1, 15_000);
    const accepted = recorder.deliveries.filter(
      (delivery) =>
        delivery.url === ALL_EVENTS_URL &&
        delivery.status === 200 &&
        delivery.events.some((event) => channels.includes(event.channel)),
    );
    expect(accepted.map((delivery) => delivery.events.length)).toEqual([DELIVERY.maxEventsPerRequest, 20]);
    expect(accepted.flatMap((delivery) => delivery.events.map((event) => event.channel))).toEqual(channels);
  }, 25_000);

  it("gives up on an endpoint that does not answer in time, and retries", async () => {
    const socket = await open();
    const channel = channelName("room-");
    recorder.answerNext(ALL_EVENTS_URL, channel, "hang");
    await subscribe(socket, channel);
    expect(await recorder.waitFor(ALL_EVENTS_URL, channel, 1, DELIVERY.timeoutMs + 5000)).toEqual([
      { name: "channel_occupied", channel },
    ]);
    expect(recorder.requests(ALL_EVENTS_URL, channel).map((request) => request.status)).toEqual([0, 200]);
  }, 20_000);

  it("delivers webhooks queued before the Beacon was evicted", async () => {
    const socket = await open();
    const channel = channelName("room-");
    recorder.answerNext(ALL_EVENTS_URL, channel, "fail");
    await subscribe(socket, channel);
    await recorder.waitForRequests(ALL_EVENTS_URL, channel, 1);
    await hibernateApp(APP_ID, channel);
    expect(await recorder.waitFor(ALL_EVENTS_URL, channel, 1)).toEqual([{ name: "channel_occupied", channel }]);
    await settled(channel);
    expect(recorder.received(ALL_EVENTS_URL, channel)).toHaveLength(1);
  }, 15_000);

  it("keeps the alarm unset while no webhook is due", async () => {
    const socket = await open();
    const channel = channelName("room-");
    await subscribe(socket, channel);
    await recorder.waitFor(ALL_EVENTS_URL, channel, 1);
    await settled(channel);
    for (const holder of webhookHolders(channel)) expect(await runDurableObjectAlarm(holder)).toBe(false);
  });

  it("abandons events that kept failing past the age limit, and says so in the log", async () => {
    // Events are queued in time order, so an old event is the oldest of its endpoint: let earlier tests' drain first.
    await settled();
    const channel = channelName("room-");
    const old = Date.now() - DELIVERY.maxAgeMs - 1000;
    // The object that holds a socket of the app: its Beacon, or a shard (whose outbox holds client events).
    const holder = await holderOf((await open()).socketId);
    await runInDurableObject(holder, async (_, state) => {
      new WebhookOutbox(state.storage.sql).add(
        ALL_EVENTS_URL,
        JSON.stringify({ name: "cache_miss", channel }),
        old,
        old,
      );
      state.storage.sql.exec(
        "INSERT OR REPLACE INTO webhook_endpoints (endpoint, attempts, retry_at) VALUES (?, ?, 0)",
        ALL_EVENTS_URL,
        DELIVERY.minAttempts,
      );
    });
    recorder.answerNext(ALL_EVENTS_URL, channel, "fail");
    const errors = vi.spyOn(console, "error");
    try {
      await runInDurableObject(holder, (_, state) => state.storage.setAlarm(Date.now()));
      await recorder.waitForRequests(ALL_EVENTS_URL, channel, 1);
      await settled();
      expect(recorder.requests(ALL_EVENTS_URL, channel).map((request) => request.status)).toEqual([500]);
      const logged = errors.mock.calls.map((call) => JSON.parse(String(call[0])));
      expect(logged).toContainEqual(
        expect.objectContaining({
          message: "webhook delivery abandoned after retrying too long",
          app: "sower",
          endpoint: "webhooks.test",
          dropped: 1,
        }),
      );
    } finally {
      errors.mockRestore();
    }
  }, 15_000);
});

/*
 * A sharded app keeps one outbox per channel, in the channel's hub, so the
 * events an endpoint's back-off holds together are one channel's. These are
 * the two tests above for such an outbox.
 */

async function retriesInOneHub(): Promise<void> {
  const channel = channelName("presence-");
  recorder.answerNext(ALL_EVENTS_URL, channel, "fail", "fail");
  await subscribe(await open(), channel, "ann");
  await recorder.waitForRequests(ALL_EVENTS_URL, channel, 1);
  await subscribe(await open(), channel, "ben");
  const received = await recorder.waitFor(ALL_EVENTS_URL, channel, 3);
  expect(recorder.requests(ALL_EVENTS_URL, channel).map((request) => request.status)).toEqual([500, 500, 200]);
  expect(received).toEqual([
    { name: "channel_occupied", channel },
    { name: "member_added", channel, user_id: "ann" },
    { name: "member_added", channel, user_id: "ben" },
  ]);
  expect(recorder.requests(ALL_EVENTS_URL, channel)[2]?.events).toEqual(received);
}

async function backlogInOneHub(): Promise<void> {
  const channel = channelName("cache-");
  const socket = await open();
  const release = recorder.failUntilReleased(COUNTS_URL, channel);
  socket.send({ event: "pusher:subscribe", data: { channel, auth: "" } });
  await socket.nextEvent("pusher:cache_miss");
  await recorder.waitForRequests(COUNTS_URL, channel, 1);
  // Each subscribe again misses the cache again: 120 misses in all, queued while the endpoint backs off.
  for (let n = 1; n < 120; n++) {
    socket.send({ event: "pusher:subscribe", data: { channel, auth: "" } });
    await socket.nextEvent("pusher:cache_miss");
  }
  release();
  const misses = (events: WireEvent[]) => events.filter((event) => event.name === "cache_miss");
  await poll(15_000, "120 cache misses", () =>
    misses(recorder.received(COUNTS_URL, channel)).length >= 120 ? true : undefined,
  );
  const accepted = recorder.requests(COUNTS_URL, channel).filter((delivery) => delivery.status === 200);
  expect(accepted.length).toBeGreaterThan(1);
  for (const delivery of accepted) expect(delivery.events.length).toBeLessThanOrEqual(DELIVERY.maxEventsPerRequest);
  expect(misses(recorder.received(COUNTS_URL, channel))).toHaveLength(120);
}
