import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { JoinAnswer, JoinRequest } from "../../src/contract/hub-rpc";
import { hubName } from "../../src/contract/objects";
import { appRest, appTrigger } from "./support/app-rest";
import { SHARDED_APP, SHARDED_HISTORY_APP, type TestApp } from "./support/apps";
import { unique } from "./support/channels";
import { connectIn, sendSubscribeIn } from "./support/shards";
import type { Frame, TestSocket } from "./support/socket";

const app = SHARDED_APP;
const CROWD = 12;
const SLOW_HUB_MS = 200;

type Join = (appId: string, channel: string, request: JoinRequest) => Promise<JoinAnswer>;

interface JoinCounter {
  readonly calls: JoinRequest[];
  restore(): Promise<void>;
}

/**
 * Wraps the hub class's `join`, as the channel's hub runs it, so the test
 * counts the joins that reach the hub and each takes SLOW_HUB_MS; `fail`
 * makes each of them throw then.
 */
async function countJoins(channel: string, fail = false, appId = app.id): Promise<JoinCounter> {
  const calls: JoinRequest[] = [];
  const hub = env.HUB.getByName(hubName(appId, channel));
  const original = await runInDurableObject(hub, (instance) => {
    const prototype: { join: Join } = Object.getPrototypeOf(instance);
    const join = prototype.join;
    prototype.join = async function (this: unknown, appId, name, request) {
      if (name === channel) {
        calls.push(request);
        // A hub as slow as a distant one: the whole crowd's subscribes arrive while this join is in flight.
        await new Promise((resolve) => setTimeout(resolve, SLOW_HUB_MS));
        if (fail) throw new Error("the hub is down");
      }
      return join.call(this, appId, name, request);
    };
    return join;
  });
  return {
    calls,
    restore: () =>
      runInDurableObject(hub, (instance) => {
        const prototype: { join: Join } = Object.getPrototypeOf(instance);
        prototype.join = original;
      }),
  };
}

async function crowdOnOneShard(on: TestApp = app, size = CROWD): Promise<TestSocket[]> {
  const sockets: TestSocket[] = [];
  for (let n = 0; n < size; n++) sockets.push(await connectIn(on, "weur"));
  return sockets;
}

describe("a crowd subscribing on one shard at once", () => {
  it("makes one join to the channel's hub, and every socket is in and hears the next event", async () => {
    const channel = unique("private-crowd-");
    const sockets = await crowdOnOneShard();
    const joins = await countJoins(channel);
    try {
      await Promise.all(sockets.map((socket) => sendSubscribeIn(app, socket, channel)));
      for (const socket of sockets) {
        expect((await socket.nextEvent("pusher_internal:subscription_succeeded")).channel).toBe(channel);
      }
      expect(joins.calls.length).toBe(1);
      const answer = await appRest(app, "POST", "/events", {
        body: { name: "after", data: "1", channel, info: "subscription_count" },
      });
      expect(JSON.parse(answer.text)).toEqual({ channels: { [channel]: { subscription_count: CROWD } } });
      for (const socket of sockets) expect(await socket.next()).toEqual({ event: "after", channel, data: "1" });
    } finally {
      await joins.restore();
    }
  });

  it("fails every waiting subscribe when the one join fails, and the next subscribe asks again", async () => {
    const channel = unique("crowd-failing-");
    const sockets = await crowdOnOneShard();
    const joins = await countJoins(channel, true);
    try {
      await Promise.all(sockets.map((socket) => sendSubscribeIn(app, socket, channel)));
      for (const socket of sockets) {
        const error = await socket.nextEvent("pusher:error");
        expect(error.data).toMatchObject({ message: "Internal server error" });
      }
      expect(joins.calls.length).toBe(1);
    } finally {
      await joins.restore();
    }
    const [late] = sockets;
    if (late === undefined) throw new Error("no socket");
    await sendSubscribeIn(app, late, channel);
    expect((await late.nextEvent("pusher_internal:subscription_succeeded")).channel).toBe(channel);
    await appRest(app, "POST", "/events", { body: { name: "after", data: "2", channel } });
    expect(await late.next()).toEqual({ event: "after", channel, data: "2" });
    for (const socket of sockets.slice(1)) await socket.expectSilence();
  });

  it("still makes one join per presence member, each carrying its member", async () => {
    const channel = unique("presence-crowd-");
    const sockets = (await crowdOnOneShard()).slice(0, 3);
    const joins = await countJoins(channel);
    try {
      await Promise.all(sockets.map((socket, n) => sendSubscribeIn(app, socket, channel, { user_id: `member-${n}` })));
      for (const socket of sockets) await socket.nextEvent("pusher_internal:subscription_succeeded");
      expect(joins.calls.map((request) => request.member?.userId).sort()).toEqual(["member-0", "member-1", "member-2"]);
    } finally {
      await joins.restore();
    }
  });

  it("subscribes the rest of the crowd when one socket closes while waiting", async () => {
    const channel = unique("crowd-closing-");
    const [leaving, ...staying] = await crowdOnOneShard();
    if (leaving === undefined) throw new Error("no socket");
    const joins = await countJoins(channel);
    try {
      await Promise.all([leaving, ...staying].map((socket) => sendSubscribeIn(app, socket, channel)));
      leaving.ws.close(1000);
      for (const socket of staying) await socket.nextEvent("pusher_internal:subscription_succeeded");
      expect(joins.calls.length).toBe(1);
    } finally {
      await joins.restore();
    }
    const answer = await appRest(app, "POST", "/events", {
      body: { name: "after", data: "3", channel, info: "subscription_count" },
    });
    expect(JSON.parse(answer.text)).toEqual({ channels: { [channel]: { subscription_count: staying.length } } });
    for (const socket of staying) expect(await socket.next()).toEqual({ event: "after", channel, data: "3" });
  });
});

describe("a crowd subscribing to a history channel on one shard at once", () => {
  const historyApp = SHARDED_HISTORY_APP;

  function subscribeTo(socket: TestSocket, channel: string, resume?: { epoch: string; serial: number }): void {
    socket.send({
      event: "pusher:subscribe",
      data: { channel, auth: "", ...(resume === undefined ? {} : { resume }) },
    });
  }

  it("shares one join at one position, while a resuming socket asks for itself", async () => {
    const channel = unique("history-crowd-");
    const elsewhere = await connectIn(historyApp, "oc");
    subscribeTo(elsewhere, channel);
    const start = (await elsewhere.nextEvent("pusher_internal:subscription_succeeded")) as Frame & {
      history: { epoch: string; serial: number };
    };
    for (const n of [1, 2]) expect((await appTrigger(historyApp, [channel], "note", `n${n}`)).status).toBe(200);
    const [resuming, ...crowd] = await crowdOnOneShard(historyApp, 6);
    if (resuming === undefined) throw new Error("no socket");
    const joins = await countJoins(channel, false, historyApp.id);
    try {
      subscribeTo(resuming, channel, { epoch: start.history.epoch, serial: 1 });
      for (const socket of crowd) subscribeTo(socket, channel);
      for (const socket of crowd) {
        const succeeded = await socket.nextEvent("pusher_internal:subscription_succeeded");
        expect(succeeded).toMatchObject({ history: { epoch: start.history.epoch, serial: 2 } });
      }
      await resuming.nextEvent("pusher_internal:subscription_succeeded");
      expect(joins.calls.map((request) => request.history?.resume?.serial ?? "none").sort()).toEqual([1, "none"]);
    } finally {
      await joins.restore();
    }
    const missed = await resuming.next();
    expect(missed).toMatchObject({ event: "note", channel, serial: 2 });
    expect(await resuming.nextEvent("sower:resumed")).toMatchObject({ channel });
    expect((await appTrigger(historyApp, [channel], "note", "n3")).status).toBe(200);
    for (const socket of [resuming, ...crowd]) {
      expect(await socket.next()).toMatchObject({ event: "note", channel, data: "n3", serial: 3 });
      await socket.expectSilence();
    }
  });
});
