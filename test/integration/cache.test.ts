import { describe, expect, it } from "vitest";
import { subscribe, unique } from "./support/auth";
import { beacon } from "./support/channels";
import { hibernate } from "./support/eviction";
import { expectRefusal, rest, trigger } from "./support/rest";
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

describe("cache channels with server events", () => {
  it("send the last server event right after subscription_succeeded", async () => {
    const channel = unique("cache-");
    expect((await trigger(channel, "price", '{"v":1}')).status).toBe(200);
    expect((await trigger(channel, "price", '{"v":2}')).status).toBe(200);
    const socket = await connect();
    expect((await subscribe(socket, channel)).event).toBe("pusher_internal:subscription_succeeded");
    expect(await socket.next()).toEqual({ event: "price", channel, data: '{"v":2}' });
    await socket.expectSilence();
  });

  it("relay an encrypted cache channel's ciphertext untouched", async () => {
    const channel = unique("private-encrypted-cache-");
    const ciphertext = JSON.stringify({ nonce: "bm9uY2U=", ciphertext: "Y2lwaGVy" });
    expect((await trigger(channel, "secret", ciphertext)).status).toBe(200);
    const socket = await connect();
    await subscribe(socket, channel);
    expect(await socket.next()).toEqual({ event: "secret", channel, data: ciphertext });
  });

  it("keep the cached event through an eviction", async () => {
    const channel = unique("presence-cache-");
    expect((await trigger(channel, "state", "kept")).status).toBe(200);
    await hibernate(beacon());
    const socket = await connect();
    await subscribe(socket, channel, JSON.stringify({ user_id: unique("user-") }));
    expect(await socket.next()).toEqual({ event: "state", channel, data: "kept" });
  });

  it("do not cache client events", async () => {
    const channel = unique("private-cache-");
    const sender = await connect();
    await subscribe(sender, channel);
    expect(await sender.next()).toEqual({ event: "pusher:cache_miss", channel, data: "{}" });
    sender.send({ event: "client-typing", channel, data: {} });
    await sender.expectSilence();
    const late = await connect();
    await subscribe(late, channel);
    expect(await late.next()).toEqual({ event: "pusher:cache_miss", channel, data: "{}" });
  });

  it("report the cached event with GET /channels/{channel}?info=cache", async () => {
    const channel = unique("cache-");
    expect(await rest("GET", `/channels/${channel}`, { params: { info: "cache" } }).then((r) => r.json())).toEqual({
      occupied: false,
    });
    await trigger(channel, "price", '{"v":3}');
    const body = await rest("GET", `/channels/${channel}`, { params: { info: "cache" } }).then((r) => r.json());
    expect(body).toEqual({ occupied: false, cache: { event: "price", data: '{"v":3}', ttl: expect.any(Number) } });
    const { ttl } = (body as { cache: { ttl: number } }).cache;
    expect(ttl).toBeGreaterThan(1790);
    expect(ttl).toBeLessThanOrEqual(1800);
  });

  it("refuse info=cache on a channel that is not a cache channel, and on GET /channels", async () => {
    await expectRefusal(
      rest("GET", `/channels/${unique("public-")}`, { params: { info: "cache" } }),
      400,
      "cache is only available for cache channels",
    );
    await expectRefusal(rest("GET", "/channels", { params: { info: "cache" } }), 400, "Unknown info attribute 'cache'");
  });
});
