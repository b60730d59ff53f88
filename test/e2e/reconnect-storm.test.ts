import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostRuntime, type SoakRuntime } from "../../soak/host/runtime";
import { reconnectStorm } from "../../soak/storm/storm";
import { testShards } from "./support/server";
import { WebhookReceiver } from "./support/webhook-receiver";

/**
 * A small reconnect storm, as `npm run soak` runs it with thousands of
 * sockets: the runtime is restarted with its state kept, as a deploy does,
 * and every socket reconnects within a second. Nothing may be lost or
 * doubled. No timing is asserted: how long it took is the campaign's to report.
 */
const PATH = "/storm";
let receiver: WebhookReceiver;
let runtime: SoakRuntime;
beforeAll(async () => {
  receiver = new WebhookReceiver();
  const origin = await receiver.start();
  runtime = await hostRuntime(
    [
      {
        url: `${origin}${PATH}`,
        event_types: ["channel_occupied", "channel_vacated", "member_added", "member_removed", "cache_miss"],
      },
    ],
    testShards(),
  );
});
afterAll(async () => {
  await runtime?.close();
  await receiver?.stop();
});

describe("a reconnect storm through a restart of the runtime", () => {
  it("brings every socket back with its roster, cached event and deliveries, and no webhook flapping", async () => {
    const report = await reconnectStorm(runtime, receiver, PATH, {
      sockets: 300,
      spreadMs: 1000,
      tag: `e2e-${Date.now().toString(36)}`,
    });
    expect(report).toMatchObject({
      sockets: 300,
      notBack: 0,
      cacheFaults: 0,
      rosterFaults: 0,
      countFaults: 0,
      lost: 0,
      duplicates: 0,
      errors: 0,
      flapsWithinGrace: 0,
      badSequences: 0,
      cacheMisses: 0,
    });
    expect(runtime.restarts).toBe(1);
    expect(runtime.errorLines).toEqual([]);
    expect(runtime.crashes).toBe(0);
  }, 120_000);
});
