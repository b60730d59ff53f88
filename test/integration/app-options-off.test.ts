import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { subscribe, unique } from "./support/auth";
import { beacon } from "./support/channels";
import { connect } from "./support/socket";

/** Both options are off by default; the integration-options project covers them switched on. */
describe("opt-in app options, off by default", () => {
  it("schedules no subscription_count and no authorization deadline", async () => {
    const socket = await connect();
    const channel = unique("public-");
    expect((await subscribe(socket, channel)).event).toBe("pusher_internal:subscription_succeeded");
    await runInDurableObject(beacon(), (_instance, state) => {
      const row = state.storage.sql
        .exec("SELECT COUNT(*) AS n FROM due_work WHERE key IN (?, ?)", channel, socket.socketId)
        .one();
      expect(row.n).toBe(0);
    });
    await socket.expectSilence();
  });
});
