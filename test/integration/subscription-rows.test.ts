import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Beacon } from "../../src/beacon/beacon";
import { Store, type SubscriptionRow } from "../../src/beacon/state/store";
import { beacon, heldSocket, subscribe, unique } from "./support/channels";
import { connectTwoTogether, holderOf } from "./support/objects";
import { connect } from "./support/socket";

type StoredRow = Pick<SubscriptionRow, "channel" | "userId" | "userInfo"> & { socketId: string };

function rowsOf(sql: SqlStorage, socketIds: string[]): StoredRow[] {
  return sql
    .exec<{ socket_id: string; channel: string; user_id: string | null; user_info: string | null }>(
      `SELECT socket_id, channel, user_id, user_info FROM subscriptions
       WHERE socket_id IN (SELECT value FROM json_each(?)) ORDER BY socket_id, channel`,
      JSON.stringify(socketIds),
    )
    .toArray()
    .map((row) => ({ socketId: row.socket_id, channel: row.channel, userId: row.user_id, userInfo: row.user_info }));
}

describe("subscription rows in SQLite", () => {
  it("apply a batch of mixed changes in the order they were made", async () => {
    const [one, two] = [unique("rows-socket-"), unique("rows-socket-")];
    const stored = await runInDurableObject(beacon(), (_instance, state) => {
      const store = new Store(state.storage.sql);
      store.applySubscriptionChanges([
        { kind: "add", row: { socketId: one, channel: "a", userId: null, userInfo: null } },
        { kind: "add", row: { socketId: one, channel: "presence-b", userId: "ada", userInfo: '{"name":"Ada"}' } },
        { kind: "add", row: { socketId: two, channel: "a", userId: null, userInfo: null } },
        { kind: "remove", socketId: one, channel: "a" },
        { kind: "add", row: { socketId: one, channel: "a", userId: null, userInfo: null } },
        { kind: "remove-socket", socketId: two },
        { kind: "add", row: { socketId: two, channel: "c", userId: null, userInfo: null } },
        { kind: "remove", socketId: one, channel: "never-held" },
      ]);
      return rowsOf(state.storage.sql, [one, two]);
    });
    expect(stored).toEqual([
      { socketId: one, channel: "a", userId: null, userInfo: null },
      { socketId: one, channel: "presence-b", userId: "ada", userInfo: '{"name":"Ada"}' },
      { socketId: two, channel: "c", userId: null, userInfo: null },
    ]);
  });

  it("are written behind the reply to a subscribe, and completely once settled", async () => {
    // A peer on the same object subscribes first: a shard's first subscriber of a channel waits for its hub.
    const [peer, socket] = await connectTwoTogether();
    const channel = unique("public-behind-");
    await subscribe(peer, channel);
    const seen = await runInDurableObject(await holderOf(socket.socketId), (instance: Beacon, state) => {
      const ws = heldSocket(state, socket.socketId);
      // Synchronous: it returns no promise, so no timer has run when the rows are read.
      const handled = instance.webSocketMessage(ws, JSON.stringify({ event: "pusher:subscribe", data: { channel } }));
      const before = rowsOf(state.storage.sql, [socket.socketId]);
      instance.settleWrites();
      return { handled, before, after: rowsOf(state.storage.sql, [socket.socketId]) };
    });
    expect(seen).toEqual({
      handled: undefined,
      before: [],
      after: [{ socketId: socket.socketId, channel, userId: null, userInfo: null }],
    });
    expect(await socket.next()).toMatchObject({ event: "pusher_internal:subscription_succeeded", channel });
  });

  it("are written by the Beacon's own timer, without anyone settling them", async () => {
    const socket = await connect();
    const channel = unique("public-timer-");
    await subscribe(socket, channel);
    const stored = await runInDurableObject(await holderOf(socket.socketId), async (_instance, state) => {
      // Timers of equal delay run in the order they were set, so the Beacon's has run when this one does.
      await new Promise((resolve) => setTimeout(resolve, 0));
      return rowsOf(state.storage.sql, [socket.socketId]);
    });
    expect(stored).toEqual([{ socketId: socket.socketId, channel, userId: null, userInfo: null }]);
  });
});
