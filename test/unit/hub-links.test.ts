import { describe, expect, it } from "vitest";
import { HubLinks } from "../../src/beacon/state/hub-links";
import { parseAppsJson } from "../../src/config/apps-json";

/** A shard's links; only their bookkeeping of joins is used here, so no hub is ever reached. */
function links(): HubLinks {
  const parsed = parseAppsJson(JSON.stringify([{ id: "shop", key: "shop-key", secret: "unit-secret-0123456789" }]));
  const [app] = parsed.ok ? parsed.apps : [];
  if (app === undefined) throw new Error("no app");
  const unreachable = {} as Env["HUB"];
  return new HubLinks(unreachable, app, "shop/shard/0");
}

describe("a shard's joins in flight", () => {
  it("keep the hub's frames that arrive meanwhile, for the socket to get once it is in", () => {
    const shard = links();
    const join = shard.beginJoin("presence-room", "1.1");
    expect(shard.joining("presence-room")).toEqual(["1.1"]);
    shard.arrived("presence-room", 10, "before the answer");
    shard.arrived("presence-room", 20, "after the answer", "2.2");
    expect(join.frames).toEqual([
      { seq: 10, frame: "before the answer" },
      { seq: 20, frame: "after the answer", except: "2.2" },
    ]);
    shard.endJoin(join, 15);
    expect(shard.joining("presence-room")).toEqual([]);
  });

  it("skip a socket for frames its answer already reflected, until a later frame arrives", () => {
    const shard = links();
    shard.endJoin(shard.beginJoin("presence-room", "1.1"), 15);
    expect([...shard.arrived("presence-room", 12, "reflected")]).toEqual(["1.1"]);
    expect([...shard.arrived("presence-room", 15, "reflected too")]).toEqual(["1.1"]);
    expect([...shard.arrived("presence-room", 16, "new")]).toEqual([]);
    // Frames come in order from the hub, so after one newer frame every later one is new.
    expect([...shard.arrived("presence-room", 14, "never sent after 16")]).toEqual([]);
  });

  it("tell a subscribing join from a sign-in, and list each socket once", () => {
    const shard = links();
    shard.beginJoin("#server-to-user-ada", "1.1", false);
    shard.beginJoin("#server-to-user-ada", "1.1");
    shard.beginJoin("#server-to-user-ada", "2.2", false);
    expect(shard.joining("#server-to-user-ada")).toEqual(["1.1", "2.2"]);
    expect(shard.joining("#server-to-user-ada", true)).toEqual(["1.1"]);
  });
});
