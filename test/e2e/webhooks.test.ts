import type PusherClient from "pusher-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { presenceChat, presenceStay, privateClientPing } from "../support/webhook-events";
import { backend, client, connected, disconnectAfterEach, subscribed, uniqueName } from "./support/clients";
import { type ServerInfo, startServer } from "./support/server";
import { type ReceivedWebhook, WebhookReceiver } from "./support/webhook-receiver";

const ALL = "/all";
const MEMBERS = "/members";

let receiver: WebhookReceiver;
let server: { info: ServerInfo; stop: () => Promise<void> };

beforeAll(async () => {
  receiver = new WebhookReceiver();
  const origin = await receiver.start();
  const webhooks = [
    {
      url: `${origin}${ALL}`,
      event_types: ["channel_occupied", "channel_vacated", "member_added", "member_removed", "client_event"],
    },
    {
      url: `${origin}${MEMBERS}`,
      event_types: ["member_added", "member_removed"],
      filter: { channel_name_starts_with: "presence-" },
      headers: { Authorization: "Bearer e2e-token" },
    },
  ];
  server = await startServer(["--var", `WEBHOOKS:${JSON.stringify(webhooks)}`]);
});
afterAll(async () => {
  await server?.stop();
  await receiver?.stop();
});

const track = disconnectAfterEach();

async function member(userId: string): Promise<PusherClient> {
  const pusher = track(client({ presence: { user_id: userId, user_info: { name: userId } }, server: server.info }));
  await connected(pusher);
  return pusher;
}

/** What a backend does: the SDK's own check of key, signature and content type. */
function isValid(request: ReceivedWebhook): boolean {
  return backend(server.info).webhook({ headers: request.headers, rawBody: request.rawBody }).isValid();
}

/**
 * An endpoint's events arrive in order, so once a fresh channel's
 * channel_occupied has arrived, anything queued before it has too.
 */
async function flush(): Promise<void> {
  const marker = uniqueName("flush-");
  await subscribed(await member(uniqueName("flusher-")), marker);
  await receiver.waitFor(ALL, marker, 1);
}

describe("webhooks, checked with the pusher SDK", () => {
  it("report occupancy, members and client events with valid signatures", async () => {
    const channel = uniqueName("presence-");
    const alice = await member("alice");
    const bob = await member("bob");
    const aliceChannel = await subscribed(alice, channel);
    await subscribed(bob, channel);
    aliceChannel.trigger("client-typing", { typing: true });
    const events = await receiver.waitFor(ALL, channel, 4);
    expect(events).toEqual(presenceChat(channel, alice.connection.socket_id));
    const requests = receiver.about(ALL, channel);
    expect(requests.every(isValid)).toBe(true);
    expect(requests.every((request) => request.headers["content-type"] === "application/json")).toBe(true);
  });

  it("are really checked: a tampered body fails the SDK's check", async () => {
    const channel = uniqueName("private-");
    const sender = await member("frank");
    await subscribed(sender, channel);
    const [request] = await receiver.waitFor(ALL, channel, 1).then(() => receiver.about(ALL, channel));
    if (request === undefined) throw new Error("no webhook request");
    expect(isValid(request)).toBe(true);
    expect(isValid({ ...request, rawBody: request.rawBody.replace(channel, `${channel}x`) })).toBe(false);
  });

  it("report private-channel client events without user_id", async () => {
    const channel = uniqueName("private-");
    const sender = await member("grace");
    const subscription = await subscribed(sender, channel);
    subscription.trigger("client-ping", { n: 1 });
    const events = await receiver.waitFor(ALL, channel, 2);
    expect(events[1]).toEqual(privateClientPing(channel, sender.connection.socket_id));
  });

  it("send each endpoint only its event types and channels, with its extra headers", async () => {
    const presence = uniqueName("presence-");
    const other = uniqueName("private-");
    const henry = await member("henry");
    await subscribed(henry, presence);
    await subscribed(henry, other);
    await receiver.waitFor(MEMBERS, presence, 1);
    await flush();
    expect(receiver.received(MEMBERS, presence)).toEqual([
      { name: "member_added", channel: presence, user_id: "henry" },
    ]);
    expect(receiver.about(MEMBERS, other)).toEqual([]);
    const [request] = receiver.about(MEMBERS, presence);
    expect(request?.headers.authorization).toBe("Bearer e2e-token");
    expect(request !== undefined && isValid(request)).toBe(true);
  });
});

describe("the 3-second grace period", () => {
  it("sends nothing when a user reloads the page, and one leave when they go for good", async () => {
    const channel = uniqueName("presence-");
    const first = await member("ivy");
    await subscribed(first, channel);
    await receiver.waitFor(ALL, channel, 2);
    // A reload: the old connection goes, a new one joins as the same user well within 3 s.
    first.disconnect();
    const second = await member("ivy");
    await subscribed(second, channel);
    second.disconnect();
    const events = await receiver.waitFor(ALL, channel, 4);
    await flush();
    expect(receiver.received(ALL, channel)).toEqual(presenceStay(channel, "ivy"));
    expect(events).toHaveLength(4);
  }, 20_000);
});

describe("delivery under faults", () => {
  it("retries through HTTP 500s until the endpoint accepts, and delivers once", async () => {
    const channel = uniqueName("presence-");
    receiver.answerNext(ALL, channel, "fail", "fail", "fail");
    await subscribed(await member("jack"), channel);
    const events = await receiver.waitFor(ALL, channel, 2, 15_000);
    await flush();
    expect(events).toEqual([
      { name: "channel_occupied", channel },
      { name: "member_added", channel, user_id: "jack" },
    ]);
    expect(receiver.received(ALL, channel)).toHaveLength(2);
    expect(receiver.about(ALL, channel).map((request) => request.status)).toEqual([500, 500, 500, 200]);
  }, 30_000);

  it("retries an endpoint that does not answer, and delivers once", async () => {
    const channel = uniqueName("presence-");
    receiver.answerNext(ALL, channel, "hang");
    await subscribed(await member("kate"), channel);
    await receiver.waitFor(ALL, channel, 2, 15_000);
    await flush();
    expect(receiver.received(ALL, channel)).toHaveLength(2);
    expect(receiver.about(ALL, channel).map((request) => request.status)).toEqual([0, 200]);
  }, 30_000);
});
