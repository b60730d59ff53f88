import { afterEach, describe, expect, it, vi } from "vitest";
import { newSocketId, SOCKET_ID_PATTERN } from "../../src/protocol/socket-id";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("socket ids", () => {
  it("match the pattern the pusher SDKs require", () => {
    for (let i = 0; i < 100; i++) expect(newSocketId()).toMatch(/^\d+\.\d+$/);
    expect(SOCKET_ID_PATTERN.test("123.456")).toBe(true);
    expect(SOCKET_ID_PATTERN.test("123.456x")).toBe(false);
  });

  it("come from the cryptographic random source", () => {
    const random = vi.spyOn(crypto, "getRandomValues");
    newSocketId();
    expect(random).toHaveBeenCalled();
  });

  it("do not repeat", () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newSocketId()));
    expect(ids.size).toBe(1000);
  });
});
