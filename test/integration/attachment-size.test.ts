import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { signIn, subscribe } from "./support/auth";
import { beacon } from "./support/channels";
import { connect } from "./support/socket";

/** Cloudflare's cap on a serialized attachment; the local runtime does not enforce it. */
const ATTACHMENT_LIMIT = 2048;

describe("socket attachments", () => {
  it("stay under 2,048 bytes for the largest legal signed-in socket", async () => {
    const socket = await connect();
    const id = `u${socket.socketId.replace(".", "")}`.padEnd(128, "x");
    const watchlist = Array.from({ length: 100 }, (_, i) => `${i}`.padEnd(128, "w"));
    await signIn(socket, { id, user_info: { bio: "b".repeat(4000) }, watchlist });
    for (let i = 0; i < 100; i++) {
      const channel = `private-${socket.socketId}-${i}-`.padEnd(164, "c");
      expect((await subscribe(socket, channel)).event).toBe("pusher_internal:subscription_succeeded");
    }
    await runInDurableObject(beacon(), (_instance, state) => {
      const sizes = state
        .getWebSockets()
        .map((ws) => new TextEncoder().encode(JSON.stringify(ws.deserializeAttachment())).length);
      expect(Math.max(...sizes)).toBeLessThan(ATTACHMENT_LIMIT / 4);
    });
  });
});
