import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { client, connected, disconnectAfterEach, once, subscribed, uniqueName } from "./support/clients";
import { type ServerInfo, startServer } from "./support/server";

const track = disconnectAfterEach();
let server: { info: ServerInfo; stop: () => Promise<void> };

beforeAll(async () => {
  server = await startServer(["--var", "ENABLE_CLIENT_MESSAGES:false"]);
});
afterAll(() => server?.stop());

describe("an app with client messages turned off", () => {
  it("refuses client events with 4301, keeps the connection and relays nothing", async () => {
    const name = uniqueName("private-quiet-");
    const [alice, bob] = [track(client({ server: server.info })), track(client({ server: server.info }))];
    await Promise.all([connected(alice), connected(bob)]);
    const [aliceChannel, bobChannel] = await Promise.all([subscribed(alice, name), subscribed(bob, name)]);
    const relayed: unknown[] = [];
    bobChannel.bind("client-note", (data: unknown) => relayed.push(data));

    const error = once(alice.connection, "error");
    aliceChannel.trigger("client-note", { text: "hello" });
    expect(await error).toEqual({
      type: "PusherError",
      data: { code: 4301, message: "Client events are not enabled for this app" },
    });
    expect(alice.connection.state).toBe("connected");
    // Anything relayed to Bob was sent before Alice's error, so before this answer on his socket.
    await once(bob.subscribe(uniqueName("private-later-")), "pusher:subscription_succeeded");
    expect(relayed).toEqual([]);
  });
});
