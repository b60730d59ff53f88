import { describe, expect, it } from "vitest";
import { client, connected, disconnectAfterEach, once, uniqueName } from "./support/clients";

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
    const pub = pusher.subscribe(uniqueName("public-"));
    const priv = pusher.subscribe(uniqueName("private-"));
    const pres = pusher.subscribe(uniqueName("presence-"));
    await Promise.all([
      once(pub, "pusher:subscription_succeeded"),
      once(priv, "pusher:subscription_succeeded"),
      once(pres, "pusher:subscription_succeeded"),
    ]);
    expect(pub.subscribed && priv.subscribed && pres.subscribed).toBe(true);
  });
});
