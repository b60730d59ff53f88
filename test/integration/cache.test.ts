import { describe, expect, it } from "vitest";
import { subscribe, unique } from "./support/auth";
import { connect } from "./support/socket";

describe("cache channels", () => {
  it.each(["cache-", "private-cache-", "private-encrypted-cache-"])(
    "send pusher:cache_miss after subscription_succeeded on an empty %s channel",
    async (prefix) => {
      const channel = unique(prefix);
      const socket = await connect();
      expect((await subscribe(socket, channel)).event).toBe("pusher_internal:subscription_succeeded");
      expect(await socket.next()).toEqual({ event: "pusher:cache_miss", channel, data: "{}" });
    },
  );

  it("send pusher:cache_miss on an empty presence-cache- channel", async () => {
    const channel = unique("presence-cache-");
    const socket = await connect();
    const succeeded = await subscribe(socket, channel, JSON.stringify({ user_id: unique("user-") }));
    expect(succeeded.event).toBe("pusher_internal:subscription_succeeded");
    expect(await socket.next()).toEqual({ event: "pusher:cache_miss", channel, data: "{}" });
  });

  it("send nothing extra on channels that are not cache channels", async () => {
    const socket = await connect();
    await subscribe(socket, unique("public-cachex-"));
    await socket.expectSilence();
  });
});
