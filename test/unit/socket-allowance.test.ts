import { describe, expect, it } from "vitest";
import { SocketAllowance } from "../../src/beacon/state/socket-allowance";

const T0 = 1_000_000;

describe("a socket's allowance: frames of any kind", () => {
  it("lets `ceiling` frames through in one second, closes on the next, and drops every frame after", () => {
    const allowance = new SocketAllowance();
    for (let n = 0; n < 200; n++) expect(allowance.frame(200, T0 + n)).toBe("within");
    expect(allowance.frame(200, T0 + 500)).toBe("over");
    expect(allowance.frame(200, T0 + 501)).toBe("closed");
    // Once closed, a fresh window does not reopen it.
    expect(allowance.frame(200, T0 + 5000)).toBe("closed");
  });

  it("starts a fresh count each second, so a steady rate at the ceiling never closes", () => {
    const allowance = new SocketAllowance();
    for (let second = 0; second < 5; second++) {
      for (let n = 0; n < 200; n++) expect(allowance.frame(200, T0 + second * 1000 + n * 4)).toBe("within");
    }
  });

  it("closes a sender a little over the ceiling within its first second", () => {
    // 275 a second, the rate a full-speed flooder reached the Beacon at through wrangler dev's proxy.
    const allowance = new SocketAllowance();
    const verdicts = Array.from({ length: 275 }, (_, n) => allowance.frame(200, T0 + (n * 1000) / 275));
    expect(verdicts.indexOf("over")).toBe(200);
  });

  it("measures a window from its first frame, not from the clock's whole seconds", () => {
    const allowance = new SocketAllowance();
    expect(allowance.frame(2, T0 + 900)).toBe("within");
    expect(allowance.frame(2, T0 + 1100)).toBe("within");
    expect(allowance.frame(2, T0 + 1899)).toBe("over");
  });
});

describe("a socket's allowance: client events", () => {
  it("allows `limit` a second, refuses the rest, and tells the first refusal of each second apart", () => {
    const allowance = new SocketAllowance();
    for (let n = 0; n < 10; n++) expect(allowance.clientEvent(10, T0)).toBe("allowed");
    expect(allowance.clientEvent(10, T0 + 1)).toBe("first refusal");
    expect(allowance.clientEvent(10, T0 + 2)).toBe("refused");
    expect(allowance.clientEvent(10, T0 + 1000)).toBe("allowed");
  });

  it("does not spend the allowance on refusals", () => {
    const allowance = new SocketAllowance();
    expect(allowance.clientEvent(1, T0)).toBe("allowed");
    for (let n = 0; n < 50; n++) allowance.clientEvent(1, T0 + n);
    expect(allowance.clientEvent(1, T0 + 1000)).toBe("allowed");
  });
});

describe("a socket's allowance: error frames", () => {
  it("allows `limit` error frames a second and refuses silently after, until the next second", () => {
    const allowance = new SocketAllowance();
    const sent = Array.from({ length: 25 }, (_, n) => allowance.errorFrame(10, T0 + n));
    expect(sent.filter(Boolean)).toHaveLength(10);
    expect(sent.slice(0, 10).every(Boolean)).toBe(true);
    expect(allowance.errorFrame(10, T0 + 999)).toBe(false);
    expect(allowance.errorFrame(10, T0 + 1000)).toBe(true);
  });

  it("shares one window with the frame count", () => {
    const allowance = new SocketAllowance();
    expect(allowance.frame(5, T0)).toBe("within");
    for (let n = 0; n < 3; n++) allowance.errorFrame(3, T0 + 10);
    expect(allowance.errorFrame(3, T0 + 20)).toBe(false);
    // A frame a second after the first rolls the window for both counts.
    expect(allowance.frame(5, T0 + 1000)).toBe("within");
    expect(allowance.errorFrame(3, T0 + 1000)).toBe(true);
  });
});
