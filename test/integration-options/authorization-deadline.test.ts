import { describe, expect, it } from "vitest";
import { signIn, subscribe, unique } from "../integration/support/auth";
import { beacon } from "../integration/support/channels";
import { hibernate } from "../integration/support/eviction";
import { connect, type TestSocket } from "../integration/support/socket";

/** USER_AUTHENTICATION_TIMEOUT_MS is 2000 in this project; allow generously for a busy machine. */
const WAIT_MS = 10_000;

/** Subscription counts are on in this project too, so count frames may come first. */
async function expectClosedUnauthorized(socket: TestSocket): Promise<void> {
  expect(await socket.nextEvent("pusher:error", WAIT_MS)).toEqual({
    event: "pusher:error",
    data: { code: 4009, message: "Connection not authorized within timeout" },
  });
  expect((await socket.waitClosed()).code).toBe(4009);
}

describe("authorised connections (enableUserAuthentication)", () => {
  it("closes a socket that neither signs in nor subscribes privately in time with 4009", async () => {
    const socket = await connect();
    await expectClosedUnauthorized(socket);
  });

  it("closes a socket that only holds public subscriptions", async () => {
    const socket = await connect();
    expect((await subscribe(socket, unique("public-"))).event).toBe("pusher_internal:subscription_succeeded");
    await expectClosedUnauthorized(socket);
  });

  it("keeps sockets that signed in or subscribed to a private or presence channel", async () => {
    const signedIn = await connect();
    await signIn(signedIn, { id: unique("user-") });
    const privateSubscriber = await connect();
    await subscribe(privateSubscriber, unique("private-"));
    await privateSubscriber.nextEvent("pusher_internal:subscription_count", WAIT_MS);
    const presenceSubscriber = await connect();
    await subscribe(presenceSubscriber, unique("presence-"), JSON.stringify({ user_id: unique("user-") }));
    // Connected after the others, so its deadline passes after theirs.
    const late = await connect();
    await expectClosedUnauthorized(late);
    await signedIn.expectSilence();
    await privateSubscriber.expectSilence();
    await presenceSubscriber.expectSilence();
  });

  it("keeps the deadline through an eviction", async () => {
    const socket = await connect();
    const authorized = await connect();
    await signIn(authorized, { id: unique("user-") });
    await hibernate(beacon());
    await expectClosedUnauthorized(socket);
    await authorized.expectSilence();
  });
});
