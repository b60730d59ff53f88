import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hubName } from "../../src/contract/objects";
import { appRest } from "./support/app-rest";
import { SHARDED_APP } from "./support/apps";
import { clientEvent, memberAdded, memberRemoved, unique } from "./support/channels";
import { hibernate } from "./support/eviction";
import { linesLogged } from "./support/logs";
import { connectIn, json, shardOf, subscribeIn } from "./support/shards";
import { ALL_EVENTS_URL, WebhookRecorder } from "./support/webhooks";

const app = SHARDED_APP;

describe("a sharded app across evictions", () => {
  it("keeps delivering when one shard is evicted and the others stay awake", async () => {
    const channel = unique("presence-evicted-shard-");
    const [ada, bob] = [await connectIn(app, "weur"), await connectIn(app, "oc")];
    await subscribeIn(app, ada, channel, { user_id: "ada" });
    await subscribeIn(app, bob, channel, { user_id: "bob" });
    await ada.nextEvent("pusher_internal:member_added");
    await hibernate(shardOf(app, "oc"));
    bob.send(clientEvent(channel, "client-after"));
    expect(await ada.next()).toEqual({ event: "client-after", channel, data: { text: "hello" }, user_id: "bob" });
    ada.send(clientEvent(channel, "client-back"));
    expect(await bob.next()).toEqual({ event: "client-back", channel, data: { text: "hello" }, user_id: "ada" });
    await appRest(app, "POST", "/events", { body: { name: "both", data: "1", channel } });
    expect(await ada.next()).toEqual({ event: "both", channel, data: "1" });
    expect(await bob.next()).toEqual({ event: "both", channel, data: "1" });
    bob.ws.close(1000);
    expect(await ada.next()).toEqual(memberRemoved(channel, "bob"));
  });

  it("keeps a channel's roster, cache and counts when its hub is evicted", async () => {
    const channel = unique("presence-cache-hub-");
    const [ada, bob] = [await connectIn(app, "weur"), await connectIn(app, "oc")];
    await subscribeIn(app, ada, channel, { user_id: "ada", user_info: { n: 1 } });
    await appRest(app, "POST", "/events", { body: { name: "last", data: "7", channel } });
    await ada.nextEvent("last");
    await evictDurableObject(env.HUB.getByName(hubName(app.id, channel)));
    expect(await subscribeIn(app, bob, channel, { user_id: "bob" })).toEqual({
      presence: { ids: ["ada", "bob"], hash: { ada: { n: 1 }, bob: {} }, count: 2 },
    });
    expect(await bob.next()).toEqual({ event: "last", channel, data: "7" });
    expect(await ada.next()).toEqual(memberAdded(channel, "bob"));
    await evictDurableObject(env.HUB.getByName(hubName(app.id, channel)));
    const counts = await appRest(app, "GET", `/channels/${channel}`, {
      params: { info: "user_count,subscription_count" },
    });
    expect(json(counts)).toEqual({ occupied: true, user_count: 2, subscription_count: 2 });
  });

  it("drops a restarted shard's sockets from the roster once the hub checks with it", async () => {
    const channel = unique("presence-restarted-");
    const [ada, bob] = [await connectIn(app, "weur"), await connectIn(app, "oc")];
    await subscribeIn(app, ada, channel, { user_id: "ada" });
    await subscribeIn(app, bob, channel, { user_id: "bob" });
    await ada.nextEvent("pusher_internal:member_added");
    // A restart, as a deploy or a crash does it: the shard's sockets are gone without a close handled.
    await runInDurableObject(shardOf(app, "oc"), (instance) => instance.settleWrites());
    await evictDurableObject(shardOf(app, "oc"), { webSockets: "close" });
    await evictDurableObject(env.HUB.getByName(hubName(app.id, channel)));
    const users = await appRest(app, "GET", `/channels/${channel}/users`);
    expect(json(users)).toEqual({ users: [{ id: "ada" }] });
    expect(await ada.nextEvent("pusher_internal:member_removed")).toEqual(memberRemoved(channel, "bob"));
  });
});

describe("a shard that fails", () => {
  it("misses a publish while the other shards deliver it; the answer and the log say so", async () => {
    const channel = unique("broken-shard-");
    const [healthy, broken] = [await connectIn(app, "weur"), await connectIn(app, "apac")];
    await subscribeIn(app, healthy, channel);
    await subscribeIn(app, broken, channel);
    // Storage from a release this one cannot run on: the shard refuses every call (state/schema.ts).
    await runInDurableObject(shardOf(app, "apac"), (instance, state) => {
      instance.settleWrites();
      state.storage.sql.exec("UPDATE meta SET value = '999' WHERE key IN ('schema_version', 'schema_runnable_from')");
    });
    await evictDurableObject(shardOf(app, "apac"), { webSockets: "hibernate" });
    let answer = { status: 0, text: "" };
    const logged = await linesLogged("warn", async () => {
      answer = await appRest(app, "POST", "/events", {
        body: { name: "partial", data: "1", channel, info: "subscription_count" },
      });
    });
    expect(answer.status).toBe(200);
    expect(json(answer)).toEqual({ channels: { [channel]: { subscription_count: 1 } }, failed_shards: 1 });
    expect(await healthy.next()).toEqual({ event: "partial", channel, data: "1" });
    expect(logged).toContainEqual(
      expect.objectContaining({
        message: "a shard failed its part of a REST call; the others did theirs",
        app: app.id,
        shard: "sharded/shard/apac/2",
      }),
    );
  });
});

describe("a sharded app's webhooks", () => {
  let recorder: WebhookRecorder;
  let restore: () => void;
  beforeEach(() => {
    recorder = new WebhookRecorder();
    restore = recorder.install();
  });
  afterEach(() => restore());

  it("report each app-wide change once, from the channel's hub, with the grace before a leave", async () => {
    const channel = `${unique("presence-hooks-")}-wh`;
    const [ada1, ada2, bob] = [await connectIn(app, "weur"), await connectIn(app, "oc"), await connectIn(app, "enam")];
    await subscribeIn(app, ada1, channel, { user_id: "ada" });
    await subscribeIn(app, ada2, channel, { user_id: "ada" });
    await subscribeIn(app, bob, channel, { user_id: "bob" });
    ada1.ws.close(1000);
    ada2.ws.close(1000);
    bob.ws.close(1000);
    const events = await recorder.waitFor(ALL_EVENTS_URL, channel, 6);
    expect(events).toEqual([
      { name: "channel_occupied", channel },
      { name: "member_added", channel, user_id: "ada" },
      { name: "member_added", channel, user_id: "bob" },
      { name: "member_removed", channel, user_id: "ada" },
      { name: "member_removed", channel, user_id: "bob" },
      { name: "channel_vacated", channel },
    ]);
  });
});
