import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { signToken, userStringToSign } from "../../src/auth/signatures";
import { connectApp } from "./support/app-sockets";
import { LONGEST_KEY_APP, LONGEST_KEY_PAIR } from "./support/apps";
import { signIn, subscribe } from "./support/auth";
import { holderOf } from "./support/objects";
import { connect } from "./support/socket";

/** Cloudflare's cap on a serialized attachment; the local runtime does not enforce it. */
const ATTACHMENT_LIMIT = 2048;

/**
 * On a sharded app each of the 100 channels and each of the 100 watched users
 * is a hub of its own, created on first use: about 200 new objects, where one
 * Beacon creates none. They take longer than the default 5 s on a busy machine.
 */
const LARGEST_SOCKET_TIMEOUT_MS = 20_000;

describe("socket attachments", () => {
  it("stay under 2,048 bytes for the largest legal signed-in socket", {
    timeout: LARGEST_SOCKET_TIMEOUT_MS,
  }, async () => {
    const socket = await connect();
    const id = `u${socket.socketId.replace(".", "")}`.padEnd(128, "x");
    const watchlist = Array.from({ length: 100 }, (_, i) => `${i}`.padEnd(128, "w"));
    await signIn(socket, { id, user_info: { bio: "b".repeat(4000) }, watchlist });
    for (let i = 0; i < 100; i++) {
      const channel = `private-${socket.socketId}-${i}-`.padEnd(164, "c");
      expect((await subscribe(socket, channel)).event).toBe("pusher_internal:subscription_succeeded");
    }
    await runInDurableObject(await holderOf(socket.socketId), (_instance, state) => {
      const sizes = state
        .getWebSockets()
        .map((ws) => new TextEncoder().encode(JSON.stringify(ws.deserializeAttachment())).length);
      expect(Math.max(...sizes)).toBeLessThan(ATTACHMENT_LIMIT / 4);
    });
  });
});

describe("the key a socket keeps in its attachment", () => {
  it("leaves room under 2,048 bytes when it is the longest key allowed and the user id the longest", async () => {
    const socket = await connectApp(LONGEST_KEY_PAIR.key);
    const userData = JSON.stringify({ id: "u".repeat(128) });
    const auth = await signToken(LONGEST_KEY_PAIR, userStringToSign(socket.socketId, userData));
    socket.send({ event: "pusher:signin", data: { auth, user_data: userData } });
    await socket.nextEvent("pusher:signin_success");
    await runInDurableObject(await holderOf(socket.socketId, LONGEST_KEY_APP.id), (_instance, state) => {
      const attachments = state.getWebSockets().map((ws) => JSON.stringify(ws.deserializeAttachment()));
      const longest = attachments.find((text) => text.includes(LONGEST_KEY_PAIR.key) && text.includes("u".repeat(128)));
      expect(longest).toBeDefined();
      expect(new TextEncoder().encode(longest).length).toBeLessThan(ATTACHMENT_LIMIT / 4);
    });
    socket.ws.close(1000);
  });
});
