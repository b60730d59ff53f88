import { describe, expect, it } from "vitest";
import { normalizeOriginPattern, originAllowed } from "../../src/config/origins";

describe("allowed origins", () => {
  it("allows anything when the list is empty or holds *", () => {
    expect(originAllowed([], "https://evil.example")).toBe(true);
    expect(originAllowed(["*"], "https://evil.example")).toBe(true);
  });

  it("lets clients without an Origin header through (native apps, servers)", () => {
    expect(originAllowed(["https://example.com"], null)).toBe(true);
  });

  it("matches scheme, host and port exactly, ignoring case", () => {
    const list = ["https://example.com", "http://localhost:5173"];
    expect(originAllowed(list, "https://EXAMPLE.com")).toBe(true);
    expect(originAllowed(list, "http://localhost:5173")).toBe(true);
    expect(originAllowed(list, "http://example.com")).toBe(false);
    expect(originAllowed(list, "https://example.com:8443")).toBe(false);
    expect(originAllowed(list, "http://localhost:3000")).toBe(false);
    expect(originAllowed(list, "https://example.com.evil.test")).toBe(false);
    expect(originAllowed(list, "null")).toBe(false);
  });

  it("matches any subdomain for a wildcard, but not the bare domain or look-alikes", () => {
    const list = ["https://*.example.com"];
    expect(originAllowed(list, "https://app.example.com")).toBe(true);
    expect(originAllowed(list, "https://a.b.example.com")).toBe(true);
    expect(originAllowed(list, "https://example.com")).toBe(false);
    expect(originAllowed(list, "https://badexample.com")).toBe(false);
    expect(originAllowed(list, "https://*.example.com")).toBe(false);
  });

  it("normalizes patterns and refuses anything that is not an origin", () => {
    expect(normalizeOriginPattern("HTTPS://Example.COM")).toBe("https://example.com");
    expect(normalizeOriginPattern("capacitor://localhost")).toBe("capacitor://localhost");
    expect(normalizeOriginPattern("https://example.com/")).toBeUndefined();
    expect(normalizeOriginPattern("example.com")).toBeUndefined();
    expect(normalizeOriginPattern("https://*")).toBeUndefined();
  });
});
