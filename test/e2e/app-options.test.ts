import type PusherClient from "pusher-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { client, connected, disconnectAfterEach, once, uniqueName } from "./support/clients";
import { type ServerInfo, startServer } from "./support/server";

/** A second server with the opt-in options on, as a team would set them in wrangler.jsonc. */
let server: { info: ServerInfo; stop: () => Promise<void> };
beforeAll(async () => {
  server = await startServer([
    "--var",
    "SUBSCRIPTION_COUNT_EVENTS:true",
    "--var",
    "ENABLE_USER_AUTHENTICATION:true",
    "--var",
    "USER_AUTHENTICATION_TIMEOUT_MS:1500",
  ]);
});
afterAll(() => server?.stop());

const track = disconnectAfterEach();

function signedInClient(): PusherClient {
  const pusher = track(client({ server: server.info, user: { id: uniqueName("user-") } }));
  pusher.signin();
  return pusher;
}

describe("opt-in app options with pusher-js", () => {
  it("emits pusher:subscription_count to subscribers as the count changes", async () => {
    const name = uniqueName("count-");
    const first = signedInClient();
    const firstChannel = first.subscribe(name);
    expect(await once(firstChannel, "pusher:subscription_count")).toEqual({ subscription_count: 1 });

    const second = signedInClient();
    const settled = new Promise<void>((resolve) => {
      firstChannel.bind("pusher:subscription_count", (data: { subscription_count: number }) => {
        if (data.subscription_count === 2) resolve();
      });
    });
    second.subscribe(name);
    await settled;
    expect(firstChannel.subscriptionCount).toBe(2);
  });

  it("closes a connection that does not sign in within the timeout with 4009", async () => {
    const idle = track(client({ server: server.info }));
    const error = once<{ type: string; data: { code: number; message: string } }>(idle.connection, "error", 15_000);
    await connected(idle);
    expect((await error).data).toEqual({ code: 4009, message: "Connection not authorized within timeout" });
  });

  it("keeps a connection that signed in", async () => {
    const member = signedInClient();
    await connected(member);
    await member.user.signinDonePromise;
    const idle = track(client({ server: server.info }));
    const closed = once(idle.connection, "error", 15_000);
    await connected(idle);
    await closed;
    expect(member.connection.state).toBe("connected");
  });
});
