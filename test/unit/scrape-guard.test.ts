import { describe, expect, it } from "vitest";
import { FixedWindow } from "../../src/lib/fixed-window";
import { clientAddress, FAILED_ATTEMPTS, SCRAPES, ScrapeGuard } from "../../src/metrics/scrape-guard";

function from(ip: string | undefined): Request {
  return new Request("http://sower.test/metrics", ip === undefined ? {} : { headers: { "CF-Connecting-IP": ip } });
}

describe("FixedWindow", () => {
  it("refuses past its limit until the window ends, says when, and flags the first refusal", () => {
    const window = new FixedWindow(1000);
    expect(window.take(2, 3, 5000)).toEqual({ allowed: true, opened: true, firstRefusal: false, retryAfterMs: 1000 });
    expect(window.take(1, 3, 5200)).toMatchObject({ allowed: true, opened: false });
    expect(window.full(1, 3, 5300)).toBe(true);
    expect(window.take(1, 3, 5400)).toEqual({ allowed: false, opened: false, firstRefusal: true, retryAfterMs: 600 });
    expect(window.take(1, 3, 5500)).toMatchObject({ allowed: false, firstRefusal: false });
    expect(window.expired(5999)).toBe(false);
    expect(window.full(1, 3, 6000)).toBe(false);
    expect(window.take(3, 3, 6000)).toMatchObject({ allowed: true, opened: true });
  });
});

describe("ScrapeGuard", () => {
  it("locks an address out after its failed attempts, for the rest of the window, and no other address", () => {
    const guard = new ScrapeGuard();
    const logged: boolean[] = [];
    for (let i = 0; i < FAILED_ATTEMPTS.limit; i++) {
      expect(guard.lockedOut("192.0.2.1", 1000 + i)).toBeUndefined();
      logged.push(guard.failed("192.0.2.1", 1000 + i));
    }
    // Only the first failure of the window is worth a log line.
    expect(logged.filter(Boolean)).toHaveLength(1);
    expect(guard.lockedOut("192.0.2.1", 2000)).toEqual({ retryAfterSeconds: 59, firstInWindow: true });
    expect(guard.lockedOut("192.0.2.1", 3000)).toMatchObject({ firstInWindow: false });
    expect(guard.lockedOut("192.0.2.2", 3000)).toBeUndefined();
    expect(guard.lockedOut("192.0.2.1", 1000 + FAILED_ATTEMPTS.windowMs)).toBeUndefined();
  });

  it("keeps following new addresses in one shared window once it follows too many", () => {
    const guard = new ScrapeGuard();
    for (let i = 0; i < 1000; i++) guard.failed(`198.51.100.${i}`, 0);
    for (let i = 0; i < FAILED_ATTEMPTS.limit; i++) guard.failed(`203.0.113.${i}`, 10);
    expect(guard.lockedOut("203.0.113.200", 20)).toMatchObject({ firstInWindow: true });
    expect(guard.lockedOut("203.0.113.201", FAILED_ATTEMPTS.windowMs + 5)).toMatchObject({ firstInWindow: false });
    // Once the first windows are over, their addresses make room: a new one is followed by itself again.
    guard.failed("192.0.2.9", FAILED_ATTEMPTS.windowMs + 5);
    expect(guard.lockedOut("192.0.2.9", FAILED_ATTEMPTS.windowMs + 6)).toBeUndefined();
  });

  it("serves its share of scrapes per window and refuses the rest with the time left", () => {
    const guard = new ScrapeGuard();
    for (let i = 0; i < SCRAPES.limit; i++) expect(guard.scrape(100 + i)).toBeUndefined();
    expect(guard.scrape(2100)).toEqual({ retryAfterSeconds: 8, firstInWindow: true });
    expect(guard.scrape(100 + SCRAPES.windowMs)).toBeUndefined();
  });
});

describe("clientAddress", () => {
  it("is Cloudflare's client IP, an IPv6 one by its /64", () => {
    expect(clientAddress(from("192.0.2.7"))).toBe("192.0.2.7");
    expect(clientAddress(from(undefined))).toBe("unknown");
    expect(clientAddress(from("2001:db8:1:2:3:4:5:6"))).toBe("2001:db8:1:2::/64");
    expect(clientAddress(from("2001:0DB8:0001:0002::9"))).toBe("2001:db8:1:2::/64");
    expect(clientAddress(from("2001:db8::1"))).toBe("2001:db8:0:0::/64");
    expect(clientAddress(from("::1"))).toBe("0:0:0:0::/64");
  });
});
