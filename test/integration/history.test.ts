import { describe, expect, it } from "vitest";
import { channelStringToSign, signToken } from "../../src/auth/signatures";
import { appRest, appTrigger } from "./support/app-rest";
import { connectApp, subscribeApp } from "./support/app-sockets";
import { HISTORY_APP, SHORT_HISTORY_APP } from "./support/apps";
import { clientEvent, unique } from "./support/channels";
import { resumedFromTwo } from "./support/history";
import { hibernateApp } from "./support/objects";
import { expectRefusal } from "./support/rest";
import type { Frame, TestSocket } from "./support/socket";
import { poll } from "./support/webhooks";

// HISTORY_APP is one Beacon in the integration tier and spread over shards in integration-sharded.
const connect = () => connectApp(HISTORY_APP.key);
const trigger = (channel: string, name: string, data: string) => appTrigger(HISTORY_APP, [channel], name, data);

/** Subscribes to a presence channel of HISTORY_APP as `channelData`'s member; returns the first frame on it. */
async function subscribePresence(socket: TestSocket, channel: string, channelData: string): Promise<Frame> {
  const auth = await signToken(HISTORY_APP, channelStringToSign(socket.socketId, channel, channelData));
  socket.send({ event: "pusher:subscribe", data: { channel, auth, channel_data: channelData } });
  return socket.next();
}

interface Position {
  epoch: string;
  serial: number;
}

interface HistoryAnswer extends Position {
  events: Array<{ serial: number; time: number; name: string; data: unknown; user_id?: string }>;
  next: string | null;
}

async function history(channel: string, params: Record<string, string> = {}): Promise<HistoryAnswer> {
  const response = await appRest(HISTORY_APP, "GET", `/channels/${channel}/history`, { params });
  expect(response.status, response.text).toBe(200);
  return JSON.parse(response.text) as HistoryAnswer;
}

async function publishAll(channel: string, count: number, from = 1): Promise<void> {
  for (let n = from; n < from + count; n++) expect((await trigger(channel, "note", `n${n}`)).status).toBe(200);
}

/** Subscribes, asking to resume from `resume`, and returns subscription_succeeded's history position. */
async function subscribeResuming(socket: TestSocket, channel: string, resume?: Position): Promise<Frame> {
  socket.send({ event: "pusher:subscribe", data: { channel, ...(resume === undefined ? {} : { resume }) } });
  return socket.nextEvent("pusher_internal:subscription_succeeded");
}

describe("storing history", () => {
  it("gives each delivery on a history channel a growing serial, and subscription_succeeded the position", async () => {
    const channel = unique("history-");
    const socket = await connect();
    const succeeded = (await subscribeResuming(socket, channel)) as Frame & { history: Position };
    expect(succeeded.data).toBe("{}");
    expect(succeeded.history).toEqual({ epoch: expect.any(String), serial: 0 });
    await publishAll(channel, 2);
    expect(await socket.next()).toEqual({ event: "note", channel, data: "n1", serial: 1 });
    expect(await socket.next()).toEqual({ event: "note", channel, data: "n2", serial: 2 });
    const stored = await history(channel);
    expect(stored).toMatchObject({ epoch: succeeded.history.epoch, serial: 2, next: null });
    expect(stored.events.map((event) => [event.serial, event.name, event.data])).toEqual([
      [2, "note", "n2"],
      [1, "note", "n1"],
    ]);
  });

  it("stores nothing and adds nothing to frames on channels without history", async () => {
    const channel = unique("nohistory-");
    const socket = await connect();
    expect(await subscribeResuming(socket, channel)).toEqual({
      event: "pusher_internal:subscription_succeeded",
      channel,
      data: "{}",
    });
    expect((await trigger(channel, "note", "x")).status).toBe(200);
    expect(await socket.next()).toEqual({ event: "note", channel, data: "x" });
    await expectRefusal(appRest(HISTORY_APP, "GET", `/channels/${channel}/history`), 404, "keeps no history");
  });

  it("stores an encrypted channel's ciphertext as published", async () => {
    const channel = unique("private-encrypted-history-");
    const ciphertext = JSON.stringify({ nonce: "bm9uY2U=", ciphertext: "Y2lwaGVy" });
    expect((await trigger(channel, "secret", ciphertext)).status).toBe(200);
    expect((await history(channel)).events).toEqual([
      { serial: 1, time: expect.any(Number), name: "secret", data: ciphertext },
    ]);
  });

  it("stores client events with the sender's user_id when the app keeps them", async () => {
    const channel = unique("presence-history-");
    const [ada, bob] = [await connect(), await connect()];
    await subscribePresence(ada, channel, JSON.stringify({ user_id: "ada" }));
    await subscribePresence(bob, channel, JSON.stringify({ user_id: "bob" }));
    await ada.nextEvent("pusher_internal:member_added");
    bob.send(clientEvent(channel, "client-typing", { text: "hi" }));
    expect(await ada.next()).toEqual({
      event: "client-typing",
      channel,
      data: { text: "hi" },
      user_id: "bob",
      serial: 1,
    });
    expect((await history(channel)).events).toEqual([
      { serial: 1, time: expect.any(Number), name: "client-typing", data: { text: "hi" }, user_id: "bob" },
    ]);
  });

  it("keeps serials, epoch and events through an eviction", async () => {
    const channel = unique("history-");
    await publishAll(channel, 3);
    const before = await history(channel);
    await hibernateApp(HISTORY_APP.id, channel);
    await publishAll(channel, 1, 4);
    const after = await history(channel, { direction: "forwards" });
    expect(after.epoch).toBe(before.epoch);
    expect(after.events.map((event) => event.data)).toEqual(["n1", "n2", "n3", "n4"]);
    expect(after.serial).toBe(4);
  });
});

describe("the history endpoint", () => {
  it("pages backwards and forwards over every event exactly once", async () => {
    const channel = unique("history-");
    await publishAll(channel, 7);
    for (const direction of ["backwards", "forwards"]) {
      const seen: number[] = [];
      let cursor: string | null = null;
      do {
        const params: Record<string, string> = { limit: "3", direction };
        if (cursor !== null) params.cursor = cursor;
        const page = await history(channel, params);
        seen.push(...page.events.map((event) => event.serial));
        cursor = page.next;
      } while (cursor !== null);
      expect(seen).toEqual(direction === "forwards" ? [1, 2, 3, 4, 5, 6, 7] : [7, 6, 5, 4, 3, 2, 1]);
    }
  });

  it("filters by time", async () => {
    const channel = unique("history-");
    await publishAll(channel, 2);
    const all = await history(channel, { direction: "forwards" });
    const second = all.events[1]?.time ?? 0;
    const later = await history(channel, { start: String(second), direction: "forwards" });
    expect(later.events.every((event) => event.time >= second)).toBe(true);
    expect((await history(channel, { end: "0" })).events).toEqual([]);
  });

  it.each([
    [{ limit: "0" }, "limit must be from 1 to 1000"],
    [{ limit: "1001" }, "limit must be from 1 to 1000"],
    [{ limit: "ten" }, "limit must be a whole number"],
    [{ direction: "sideways" }, 'direction must be "backwards" or "forwards"'],
    [{ start: "yesterday" }, "start must be a whole number of Unix milliseconds"],
    [{ start: "5", end: "4" }, "start must not be after end"],
    [{ cursor: "nonsense" }, "cursor is not one this endpoint returned"],
    [{ cursor: "3.another-epoch" }, "cursor belongs to another epoch"],
  ])("refuses %j", async (params, message) => {
    const channel = unique("history-");
    await publishAll(channel, 1);
    await expectRefusal(appRest(HISTORY_APP, "GET", `/channels/${channel}/history`, { params }), 400, message);
  });
});

describe("resuming a subscription", () => {
  it("sends exactly the missed events, then sower:resumed, before any live event", async () => {
    const channel = unique("history-");
    const first = await connect();
    const { history: start } = (await subscribeResuming(first, channel)) as Frame & { history: Position };
    await publishAll(channel, 2);
    await first.next();
    await first.next();
    first.ws.close();
    await publishAll(channel, 3, 3);
    const again = await connect();
    await subscribeResuming(again, channel, { epoch: start.epoch, serial: 2 });
    await publishAll(channel, 1, 6);
    const frames = [await again.next(), await again.next(), await again.next(), await again.next(), await again.next()];
    expect(frames).toEqual(resumedFromTwo(channel, start.epoch));
  });

  it("answers recovered: false for another epoch, and sends nothing missed", async () => {
    const channel = unique("history-");
    await publishAll(channel, 2);
    const socket = await connect();
    await subscribeResuming(socket, channel, { epoch: "an-old-epoch", serial: 1 });
    const resumed = await socket.next();
    expect(resumed.event).toBe("sower:resumed");
    expect(JSON.parse(String(resumed.data))).toMatchObject({ recovered: false, serial: 2, missed: 0 });
    await socket.expectSilence();
  });

  it("refuses a malformed resume position with a frame error", async () => {
    const socket = await connect();
    socket.send({ event: "pusher:subscribe", data: { channel: unique("history-"), resume: { epoch: 5 } } });
    expect(await socket.next()).toMatchObject({ event: "pusher:error", data: { code: null } });
  });
});

describe("retention", () => {
  it("keeps at most max_events, prunes by age on the alarm, and answers an expired gap recovered: false", async () => {
    const channel = unique("short-");
    const socket = await connectApp(SHORT_HISTORY_APP.key);
    socket.send({ event: "pusher:subscribe", data: { channel } });
    const { history: start } = (await socket.nextEvent("pusher_internal:subscription_succeeded")) as Frame & {
      history: Position;
    };
    for (let n = 1; n <= 5; n++) {
      expect((await appTrigger(SHORT_HISTORY_APP, [channel], "note", `n${n}`)).status).toBe(200);
    }
    const read = async () => {
      const response = await appRest(SHORT_HISTORY_APP, "GET", `/channels/${channel}/history`, {
        params: { direction: "forwards" },
      });
      return JSON.parse(response.text) as HistoryAnswer;
    };
    expect((await read()).events.map((event) => event.serial)).toEqual([3, 4, 5]);
    const late = await connectApp(SHORT_HISTORY_APP.key);
    late.send({ event: "pusher:subscribe", data: { channel, resume: { epoch: start.epoch, serial: 1 } } });
    await late.nextEvent("pusher_internal:subscription_succeeded");
    expect(JSON.parse(String((await late.next()).data))).toMatchObject({ recovered: false, serial: 5 });

    const emptied = await poll(5000, "age retention", async () => {
      const answer = await read();
      return answer.events.length === 0 ? answer : undefined;
    });
    expect(emptied).toMatchObject({ epoch: start.epoch, serial: 5 });
    // Polled: a sharded app's hub hands its counts to the app's statistics after its alarm.
    const totals = await poll(5000, "history counts in the statistics", async () => {
      const stats = JSON.parse((await appRest(SHORT_HISTORY_APP, "GET", "/stats")).text);
      return stats.totals.history_pruned === 5 ? stats.totals : undefined;
    });
    expect(totals).toMatchObject({ history_stored: 5, history_pruned: 5 });
    // The serial only grows, even with nothing left.
    expect((await appTrigger(SHORT_HISTORY_APP, [channel], "note", "n6")).status).toBe(200);
    expect((await read()).events.map((event) => event.serial)).toEqual([6]);
  });

  it("does not store client events unless the app turns that on", async () => {
    const channel = unique("private-short-");
    const [ada, bob] = [await connectApp(SHORT_HISTORY_APP.key), await connectApp(SHORT_HISTORY_APP.key)];
    for (const socket of [ada, bob]) await subscribeApp(socket, SHORT_HISTORY_APP, channel);
    bob.send(clientEvent(channel));
    expect(await ada.next()).toEqual({ event: "client-message", channel, data: { text: "hello" } });
  });
});
