import { describe, expect, it } from "vitest";
import { client, connected, disconnectAfterEach, subscribed, uniqueName } from "./support/clients";

const track = disconnectAfterEach();

describe("pusher-js (Node build) against wrangler dev", () => {
  it("connects and gets a socket id", async () => {
    const pusher = track(client());
    await connected(pusher);
    expect(pusher.connection.socket_id).toMatch(/^\d+\.\d+$/);
  });

  it("subscribes to public, private and presence channels with SDK-made auth", async () => {
    const pusher = track(client({ presence: { user_id: "alice", user_info: { name: "Alice" } } }));
    await connected(pusher);
    const [pub, priv, pres] = await Promise.all([
      subscribed(pusher, uniqueName("public-")),
      subscribed(pusher, uniqueName("private-")),
      subscribed(pusher, uniqueName("presence-")),
    ]);
    expect(pub.subscribed && priv.subscribed && pres.subscribed).toBe(true);
  });
});
