import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { signToken } from "../../src/auth/signatures";
import { hubName, objectOf } from "../../src/contract/objects";
import { appRest, appTrigger } from "./support/app-rest";
import { SHARDED_HISTORY_APP } from "./support/apps";
import { clientEvent, unique } from "./support/channels";
import { resumedFromTwo } from "./support/history";
import { configuredApp, hibernateApp } from "./support/objects";
import { connectIn, json, shardName, shardOf, type TestRegion } from "./support/shards";
import type { Frame, TestSocket } from "./support/socket";

/*
 * What only an app spread over shards can break in history: the hub numbers
 * each event and the shards deliver them, so deliveries of one channel can
 * cross in flight, a socket can resume on one shard while others publish,
 * and the hub can sleep between a publish and a resume.
 */

const app = SHARDED_HISTORY_APP;

interface Position {
  epoch: string;
  serial: number;
}

/** Subscribes (signed for a private channel), asking to resume from `resume`; returns subscription_succeeded. */
async function subscribeResuming(socket: TestSocket, channel: string, resume?: Position): Promise<Frame> {
  const auth = channel.startsWith("private-") ? await signToken(app, `${socket.socketId}:${channel}`) : "";
  socket.send({ event: "pusher:subscribe", data: { channel, auth, ...(resume === undefined ? {} : { resume }) } });
  return socket.nextEvent("pusher_internal:subscription_succeeded");
}

async function positionOf(socket: TestSocket, channel: string): Promise<Position> {
  const succeeded = (await subscribeResuming(socket, channel)) as Frame & { history: Position };
  return succeeded.history;
}

/** Frames until one event of each serial up to `last` has arrived (and `sower:resumed`, when awaited). */
async function framesUpTo(socket: TestSocket, last: number, resumed = false): Promise<Frame[]> {
  const frames: Frame[] = [];
  let highest = 0;
  let sawResumed = !resumed;
  while (highest < last || !sawResumed) {
    const frame = await socket.next(5000);
    frames.push(frame);
    if (frame.event === "sower:resumed") sawResumed = true;
    if (typeof frame.serial === "number") highest = Math.max(highest, frame.serial);
  }
  return frames;
}

function serialsOf(frames: readonly Frame[]): number[] {
  return frames.flatMap((frame) => (typeof frame.serial === "number" ? [frame.serial] : []));
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}

function hubStub(channel: string) {
  const configured = configuredApp(app.id);
  return objectOf(env.HUB, configured.placement, hubName(app.id, channel));
}

async function publishNotes(channel: string, from: number, to: number): Promise<void> {
  for (let n = from; n <= to; n++) expect((await appTrigger(app, [channel], "note", `n${n}`)).status).toBe(200);
}

/** A new channel with a subscriber in `region` that has had notes n1 and n2. */
async function afterTwoNotes(region: TestRegion, prefix: string): Promise<{ channel: string; first: TestSocket }> {
  const channel = unique(prefix);
  const first = await connectIn(app, region);
  await positionOf(first, channel);
  await publishNotes(channel, 1, 2);
  expect(serialsOf(await framesUpTo(first, 2))).toEqual([1, 2]);
  return { channel, first };
}

async function connectedIn(region: TestRegion, channel: string): Promise<TestSocket> {
  const socket = await connectIn(app, region);
  await subscribeResuming(socket, channel);
  return socket;
}

describe("history on a sharded app", () => {
  it("resumes a socket on one shard while REST and a client on other shards publish: each event once, in order", async () => {
    const channel = unique("private-history-race-");
    const sender = await connectedIn("enam", channel);
    const stay = await connectedIn("weur", channel);
    const far = await connectedIn("apac", channel);
    const leaving = await connectIn(app, "weur");
    const start = await positionOf(leaving, channel);
    await publishNotes(channel, 1, 3);
    expect(serialsOf(await framesUpTo(leaving, start.serial + 3))).toEqual(range(1, 3));
    leaving.ws.close();
    await publishNotes(channel, 4, 8);

    // The resume, ten REST triggers at once (their deliveries may cross) and ten client events, all in flight together.
    const resumer = await connectIn(app, "weur");
    const resuming = subscribeResuming(resumer, channel, { epoch: start.epoch, serial: 3 });
    const triggers = Promise.all(range(9, 18).map((n) => appTrigger(app, [channel], "note", `r${n}`)));
    for (let n = 1; n <= 10; n++) sender.send(clientEvent(channel, "client-note", { n }));
    for (const answer of await triggers) expect(answer.status).toBe(200);
    const succeeded = (await resuming) as Frame & { history: Position };
    expect(succeeded.history.epoch).toBe(start.epoch);

    const got = await framesUpTo(resumer, 28, true);
    const resumedAt = got.findIndex((frame) => frame.event === "sower:resumed");
    const resumed = JSON.parse(String(got[resumedAt]?.data)) as { recovered: boolean; serial: number; missed: number };
    expect(resumed).toMatchObject({ recovered: true, epoch: start.epoch });
    // The missed events up to the resume's position, then every later one: each serial once, in order.
    expect(serialsOf(got.slice(0, resumedAt))).toEqual(range(4, resumed.serial));
    expect(resumed.missed).toBe(resumed.serial - 3);
    expect(serialsOf(got)).toEqual(range(4, 28));
    // Subscribers that stayed saw every serial in order, whatever order the deliveries arrived in.
    const seen = await framesUpTo(stay, 28);
    expect(serialsOf(seen)).toEqual(range(1, 28));
    expect(serialsOf(await framesUpTo(far, 28))).toEqual(range(1, 28));
    // The sender never gets its own client events: only the REST ones, in order.
    const rest = serialsOf(seen.filter((frame) => frame.event === "note"));
    expect(rest).toHaveLength(18);
    const toSender: Frame[] = [];
    for (const _ of rest) toSender.push(await sender.next());
    expect(serialsOf(toSender)).toEqual(rest);
    await sender.expectSilence();
    const history = json(await appRest(app, "GET", `/channels/${channel}/history`, { params: { limit: "100" } }));
    expect(history).toMatchObject({ serial: 28, epoch: start.epoch });
  });

  it("resumes from what the hub stored before it was evicted", async () => {
    const channel = unique("history-evicted-");
    const watcher = await connectIn(app, "oc");
    const start = await positionOf(watcher, channel);
    await publishNotes(channel, 1, 5);
    expect(serialsOf(await framesUpTo(watcher, 5))).toEqual(range(1, 5));
    watcher.ws.close();
    await hibernateApp(app.id, channel);

    const again = await connectIn(app, "apac");
    await subscribeResuming(again, channel, { epoch: start.epoch, serial: 2 });
    expect((await appTrigger(app, [channel], "note", "n6")).status).toBe(200);
    expect(await framesUpTo(again, 6, true)).toEqual(resumedFromTwo(channel, start.epoch));
  });

  it("goes on delivering in order on a shard woken with subscribers, where a new subscriber learns the position", async () => {
    const { channel, first } = await afterTwoNotes("weur", "history-woken-");
    await hibernateApp(app.id, channel);

    expect((await appTrigger(app, [channel], "note", "n3")).status).toBe(200);
    expect(await first.next()).toEqual({ event: "note", channel, data: "n3", serial: 3 });
    // The woken shard does not know the channel's epoch: the subscribe asks the hub.
    const second = await connectIn(app, "weur");
    expect((await positionOf(second, channel)).serial).toBe(3);
    expect((await appTrigger(app, [channel], "note", "n4")).status).toBe(200);
    for (const socket of [first, second]) {
      expect(await socket.next()).toEqual({ event: "note", channel, data: "n4", serial: 4 });
      await socket.expectSilence();
    }
  });

  it("numbers a batch touching several channels per channel, delivered in batch order on every shard", async () => {
    const [a, b] = [unique("history-batch-a-"), unique("history-batch-b-")];
    const sockets = [await connectIn(app, "weur"), await connectIn(app, "oc")];
    for (const socket of sockets) {
      await subscribeResuming(socket, a);
      await subscribeResuming(socket, b);
    }
    const order = [a, b, a, a, b];
    const batch = order.map((channel, index) => ({ name: `e${index}`, data: String(index), channel }));
    expect((await appRest(app, "POST", "/batch_events", { body: { batch } })).status).toBe(200);
    const serials = [1, 1, 2, 3, 2];
    for (const socket of sockets) {
      for (const [index, channel] of order.entries()) {
        expect(await socket.next()).toEqual({
          event: `e${index}`,
          channel,
          data: String(index),
          serial: serials[index],
        });
      }
    }
  });

  it("tells a later subscriber on a shard the position its deliveries there have reached", async () => {
    const { channel, first } = await afterTwoNotes("enam", "history-later-");
    const later = await connectIn(app, "enam");
    expect((await positionOf(later, channel)).serial).toBe(2);
    expect((await appTrigger(app, [channel], "note", "n3")).status).toBe(200);
    for (const socket of [first, later]) {
      expect(await socket.next()).toEqual({ event: "note", channel, data: "n3", serial: 3 });
    }
  });

  it("sends deliveries that crossed in flight in serial order, and fills from the hub one that never came", async () => {
    const channel = unique("history-crossed-");
    const [socket, leftOut] = [await connectIn(app, "weur"), await connectIn(app, "weur")];
    await positionOf(socket, channel);
    await positionOf(leftOut, channel);
    expect((await appTrigger(app, [channel], "note", "n1")).status).toBe(200);
    for (const each of [socket, leftOut])
      expect(await each.next()).toEqual({ event: "note", channel, data: "n1", serial: 1 });
    // Stored by the hub as a publish would be (n2 leaving one socket out); the shard then gets 3 and 4 but never 2.
    const store = [
      { name: "note", data: "n2", socketId: leftOut.socketId },
      ...["n3", "n4"].map((data) => ({ name: "note", data })),
    ];
    const route = await hubStub(channel).route(app.id, channel, { userCount: false, store });
    expect(route.serials).toEqual([2, 3, 4]);
    const shard = shardOf(app, "weur");
    const deliver = (serial: number) =>
      shard.deliver(app.id, shardName(app, "weur"), [
        { name: "note", data: `n${serial}`, channels: [channel], serials: [serial] },
      ]);
    await deliver(3);
    await deliver(4);
    for (const serial of [2, 3, 4]) {
      expect(await socket.next()).toEqual({ event: "note", channel, data: `n${serial}`, serial });
    }
    // The hub remembered whom n2's call left out.
    for (const serial of [3, 4]) {
      expect(await leftOut.next()).toEqual({ event: "note", channel, data: `n${serial}`, serial });
    }
    // A delivery that comes after the hub filled the gap is not sent twice.
    await deliver(2);
    await socket.expectSilence();
    await leftOut.expectSilence();
  });

  it("numbers client events by the channel's hub and delivers them with their serial on every shard", async () => {
    const channel = unique("private-history-client-");
    const [sender, near, far] = [
      await connectedIn("weur", channel),
      await connectedIn("weur", channel),
      await connectedIn("oc", channel),
    ];
    sender.send(clientEvent(channel, "client-typing", { text: "hi" }));
    const expected = { event: "client-typing", channel, data: { text: "hi" }, serial: 1 };
    expect(await near.next()).toEqual(expected);
    expect(await far.next()).toEqual(expected);
    await sender.expectSilence();
    const history = json(await appRest(app, "GET", `/channels/${channel}/history`));
    expect(history).toMatchObject({ serial: 1, events: [{ serial: 1, name: "client-typing", data: { text: "hi" } }] });
  });
});
