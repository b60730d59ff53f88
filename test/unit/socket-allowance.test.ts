import { describe, expect, it } from "vitest";
import { SocketAllowance } from "../../src/beacon/state/socket-allowance";

const T0 = 1_000_000;

describe("a socket's allowance: frames of any kind", () => {
  it("lets `ceiling` frames through at once, closes on the next, and drops every frame after", () => {
    const allowance = new SocketAllowance();
    for (let n = 0; n < 200; n++) expect(allowance.frame(200, T0)).toBe("within");
    expect(allowance.frame(200, T0)).toBe("over");
    expect(allowance.frame(200, T0 + 1)).toBe("closed");
    // Once closed, time does not reopen it.
    expect(allowance.frame(200, T0 + 60_000)).toBe("closed");
  });

  it("refills at `ceiling` a second, so a steady sender at the rate is never closed", () => {
    const allowance = new SocketAllowance();
    // 200 a second for ten seconds: one frame every 5 ms.
    for (let n = 0; n < 2000; n++) expect(allowance.frame(200, T0 + n * 5)).toBe("within");
  });

  it("keeps a steady sender below the rate whose frames are held up for most of a second, then come at once", () => {
    const allowance = new SocketAllowance();
    // 190 a second. Every other second the Beacon is busy and takes that second's frames in one lump at its
    // end, just before the next second's come in steadily: a one-second window would count 380 of them.
    for (let second = 0; second < 10; second++) {
      for (let n = 0; n < 190; n++) {
        const sentAt = T0 + second * 1000 + (n * 1000) / 190;
        const takenAt = second % 2 === 0 ? T0 + second * 1000 + 999 : sentAt;
        expect(allowance.frame(200, takenAt)).toBe("within");
      }
    }
  });

  it("closes a sender faster than the rate once its burst is spent", () => {
    const allowance = new SocketAllowance();
    // 1,000 a second against 200: it runs 200 short after 250 ms.
    const verdicts = Array.from({ length: 400 }, (_, n) => allowance.frame(200, T0 + n));
    expect(verdicts.indexOf("over")).toBeGreaterThan(240);
    expect(verdicts.indexOf("over")).toBeLessThan(260);
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

  it("shares its window with the client event count", () => {
    const allowance = new SocketAllowance();
    expect(allowance.clientEvent(1, T0)).toBe("allowed");
    for (let n = 0; n < 3; n++) allowance.errorFrame(3, T0 + 10);
    expect(allowance.errorFrame(3, T0 + 20)).toBe(false);
    expect(allowance.clientEvent(1, T0 + 999)).toBe("first refusal");
    // A second after the window began, both counts start again.
    expect(allowance.errorFrame(3, T0 + 1000)).toBe(true);
    expect(allowance.clientEvent(1, T0 + 1000)).toBe("allowed");
  });
});
