import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../src/config/app";
import { parseClientFrame } from "../../src/protocol/client-frames";
import { frameCeiling, frameLimits } from "../../src/protocol/socket-limits";

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

describe("the frame size cap", () => {
  it("stays at 64 KiB for Pusher's default limits, which need at most 64,648 bytes", () => {
    expect(frameLimits(DEFAULT_LIMITS)).toEqual({ frameBytes: 65536, eventNameLength: 200 });
  });

  it("grows with the app's payload, name and channel limits, each escaped at worst, plus the envelope", () => {
    const limits = { ...DEFAULT_LIMITS, maxEventPayloadBytes: 100 * 1024, maxEventNameLength: 300 };
    expect(frameLimits(limits)).toEqual({ frameBytes: 6 * (100 * 1024 + 300 + 164) + 1024, eventNameLength: 300 });
  });

  it("takes the largest legal client event of an app with 100 KB of data, escaped at worst", () => {
    const limits = frameLimits({ ...DEFAULT_LIMITS, maxEventPayloadBytes: 100 * 1024 });
    const data = "\u0001".repeat(100 * 1024);
    const frame = JSON.stringify({ event: `client-${"e".repeat(193)}`, channel: `private-${"c".repeat(156)}`, data });
    expect(frame.length).toBeGreaterThan(6 * 100 * 1024);
    const parsed = parseClientFrame(frame, limits);
    expect(parsed.ok && parsed.value).toMatchObject({ kind: "client-event", data });
    const tooLarge = parseClientFrame(`${frame}${" ".repeat(limits.frameBytes - frame.length + 1)}`, limits);
    expect(tooLarge).toEqual({
      ok: false,
      error: { code: null, message: `Frame is larger than ${limits.frameBytes} bytes`, close: false },
    });
  });

  it("checks a client event's name against the app's limit", () => {
    const frame = JSON.stringify({ event: "client-abcdefgh", channel: "private-x" });
    expect(parseClientFrame(frame, frameLimits({ ...DEFAULT_LIMITS, maxEventNameLength: 15 })).ok).toBe(true);
    expect(parseClientFrame(frame, frameLimits({ ...DEFAULT_LIMITS, maxEventNameLength: 14 }))).toEqual({
      ok: false,
      error: { code: null, message: "Event name is longer than 14 characters", close: false },
    });
  });
});
