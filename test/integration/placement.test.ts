import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { appRest, appTrigger } from "./support/app-rest";
import { connectApp, subscribeApp } from "./support/app-sockets";
import { PLACED_APP } from "./support/apps";
import { unique } from "./support/channels";

describe("an app with a region and a jurisdiction", () => {
  it("serves sockets and REST calls from its one Beacon, named by the app id as before", async () => {
    const channel = unique("placed-");
    const socket = await connectApp(PLACED_APP.key);
    await subscribeApp(socket, PLACED_APP, channel);
    expect((await appTrigger(PLACED_APP, [channel], "hello", "{}")).status).toBe(200);
    expect(await socket.nextEvent("hello")).toEqual({ event: "hello", channel, data: "{}" });
    const info = await appRest(PLACED_APP, "GET", `/channels/${channel}`, { params: { info: "subscription_count" } });
    expect(JSON.parse(info.text)).toEqual({ occupied: true, subscription_count: 1 });
    // The local runtime has no jurisdictions, so the object is the plain namespace's, by the app id.
    const held = await runInDurableObject(env.BEACON.getByName(PLACED_APP.id), (_beacon, state) => ({
      name: state.id.name,
      sockets: state.getWebSockets().length,
    }));
    expect(held).toEqual({ name: PLACED_APP.id, sockets: 1 });
  });
});
