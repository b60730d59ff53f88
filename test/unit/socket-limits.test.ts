import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../src/config/app";
import { frameCeiling } from "../../src/protocol/socket-limits";

describe("the frame ceiling", () => {
  it("is 20 times the app's client event rate, 200 at Pusher's default", () => {
    expect(frameCeiling(DEFAULT_LIMITS)).toBe(200);
    expect(frameCeiling({ maxClientEventsPerSecond: 50 })).toBe(1000);
  });

  it("never falls below 200, room for a client resubscribing to its 100 channels at once", () => {
    expect(frameCeiling({ maxClientEventsPerSecond: 1 })).toBe(200);
    expect(frameCeiling({ maxClientEventsPerSecond: 2 })).toBe(200);
  });
});
