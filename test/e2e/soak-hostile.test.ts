import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HonestTraffic } from "../../soak/honest";
import { hostRuntime, type SoakRuntime } from "../../soak/host/runtime";
import { runFrameCampaign } from "../../soak/hostile/frame-campaign";
import { CATEGORIES } from "../../soak/hostile/frames";
import { runRequestCampaign, unansweredFaults } from "../../soak/hostile/request-campaign";
import { REQUEST_CATEGORIES } from "../../soak/hostile/requests";
import { testShards } from "./support/server";

/**
 * A small run of the soak campaign's hostile parts (`npm run soak` runs them
 * at length): hostile frames and requests while honest sockets receive. The
 * server is workerd itself, as in the campaign, so its error lines are seen.
 */
let runtime: SoakRuntime;
let honest: HonestTraffic;
beforeAll(async () => {
  runtime = await hostRuntime([], testShards());
  honest = await HonestTraffic.open(runtime.info, 6, `e2e-${Date.now().toString(36)}`);
});
afterAll(async () => {
  await honest?.close();
  await runtime?.close();
});

describe("a small soak: hostile frames and requests", () => {
  it("leave honest sockets with every event, once and in order, and the server without a failure", async () => {
    const frames = runFrameCampaign(runtime.info, honest, {
      sockets: 8,
      flooders: 2,
      frames: 50_000,
      durationMs: 5_000,
      seed: 7,
    });
    await honest.runUntil(frames, 10);
    const report = await frames;
    expect(Object.keys(report.byCategory).sort()).toEqual([...CATEGORIES].sort());
    expect(report).toMatchObject({ internalErrors: 0, unexpectedCloses: 0, unreadable: 0, stalls: 0 });
    expect(report.floodCloses).toBeGreaterThan(0);
    expect(report.pacedFrames).toBeGreaterThan(0);

    const requests = runRequestCampaign(runtime.info, {
      lanes: 4,
      requests: 400,
      durationMs: 20_000,
      seed: 7,
      chunkPauseMs: 1,
    });
    await honest.runUntil(requests, 10);
    const answers = await requests;
    expect(Object.keys(answers.byCategory).sort()).toEqual([...REQUEST_CATEGORIES].sort());
    expect(answers.serverErrorSamples).toEqual([]);
    expect(answers.serverErrors).toBe(0);
    expect(unansweredFaults(answers)).toBe(0);

    await honest.settle(10_000);
    await honest.checkRosters();
    const tally = honest.takeTally();
    expect(tally.expected).toBeGreaterThan(0);
    expect(tally).toMatchObject({
      delivered: tally.expected,
      lost: 0,
      duplicates: 0,
      reordered: 0,
      rosterFaults: 0,
      unexpectedCloses: 0,
      errorFrames: 0,
      failedTriggers: 0,
    });
    expect(runtime.errorLines).toEqual([]);
    expect(runtime.crashes).toBe(0);
  }, 90_000);
});
