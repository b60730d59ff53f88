import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { DueWork } from "../../src/beacon/state/due-work";
import { connectSignedIn, subscribe, unique } from "../integration/support/auth";
import { beacon } from "../integration/support/channels";
import { hibernate } from "../integration/support/eviction";
import type { TestSocket } from "../integration/support/socket";

const WAIT_MS = 5000;

/** Authorised connections are on in this project, so every socket signs in first. */
function member(): Promise<TestSocket> {
  return connectSignedIn({ id: unique("user-") });
}

function countFrame(channel: string, count: number) {
  return {
    event: "pusher_internal:subscription_count",
    channel,
    data: JSON.stringify({ subscription_count: count }),
  };
}

/** Skips earlier counts of a burst: only the settled count is certain. */
async function settledCount(socket: TestSocket, channel: string, count: number): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const frame = await socket.nextEvent("pusher_internal:subscription_count", Math.max(1, deadline - Date.now()));
    if (frame.channel === channel && frame.data === JSON.stringify({ subscription_count: count })) return;
  }
}

describe("subscription_count (subscriptionCountEvents)", () => {
  it("tells a lone subscriber the count of 1", async () => {
    const channel = unique("public-count-");
    const socket = await member();
    await subscribe(socket, channel);
    expect(await socket.next(WAIT_MS)).toEqual(countFrame(channel, 1));
  });

  it("tells every subscriber as the count goes up and down", async () => {
    const channel = unique("private-count-");
    const a = await member();
    const b = await member();
    await subscribe(a, channel);
    await subscribe(b, channel);
    await settledCount(a, channel, 2);
    await settledCount(b, channel, 2);
    b.send({ event: "pusher:unsubscribe", data: { channel } });
    await settledCount(a, channel, 1);
    await b.expectSilence();
  });

  it("is not sent on presence channels", async () => {
    const presence = unique("presence-count-");
    const marker = unique("public-count-");
    const socket = await member();
    await subscribe(socket, presence, JSON.stringify({ user_id: unique("user-") }));
    await subscribe(socket, marker);
    // The marker was counted after the presence channel would have been, so it comes last.
    expect(await socket.next(WAIT_MS)).toEqual(countFrame(marker, 1));
    await socket.expectSilence();
  });

  it("keeps a pending count through an eviction, and counts sockets that closed meanwhile", async () => {
    const channel = unique("public-count-");
    const stays = await member();
    const leaves = await member();
    await subscribe(stays, channel);
    await subscribe(leaves, channel);
    await hibernate(beacon());
    await settledCount(stays, channel, 2);
    leaves.ws.close(1000);
    await settledCount(stays, channel, 1);
  });

  it("coalesces a burst: marking a channel again keeps one pending flush at the earliest time", async () => {
    await runInDurableObject(beacon(), (_instance, state) => {
      const work = new DueWork(state.storage.sql, () => undefined);
      const channel = unique("public-burst-");
      const first = Date.now() + 60_000;
      work.schedule("subscription-count", channel, first);
      work.schedule("subscription-count", channel, first + 1000);
      work.schedule("subscription-count", channel, first + 2000);
      expect(work.dueAt("subscription-count", channel)).toBe(first);
      const rows = state.storage.sql
        .exec("SELECT COUNT(*) AS n FROM due_work WHERE kind = 'subscription-count' AND key = ?", channel)
        .one();
      expect(rows.n).toBe(1);
      work.cancel("subscription-count", channel);
    });
  });
});

describe("subscription_count on a user's own channel", () => {
  it("is not sent on #server-to-user- channels", async () => {
    const userId = unique("user-");
    const socket = await connectSignedIn({ id: userId });
    const marker = unique("public-count-");
    await subscribe(socket, `#server-to-user-${userId}`);
    await subscribe(socket, marker);
    expect(await socket.next(WAIT_MS)).toEqual(countFrame(marker, 1));
    await socket.expectSilence();
  });
});
