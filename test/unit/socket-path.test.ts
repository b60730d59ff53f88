import { describe, expect, it } from "vitest";
import { parseSocketPath } from "../../src/protocol/socket-path";

describe("socket paths", () => {
  it("reads the key from /app/{key}, with or without a trailing slash, decoded", () => {
    expect(parseSocketPath("/app/sower-key")).toEqual({ kind: "socket", key: "sower-key" });
    expect(parseSocketPath("/app/sower-key/")).toEqual({ kind: "socket", key: "sower-key" });
    expect(parseSocketPath("/app/a%20b")).toEqual({ kind: "socket", key: "a b" });
  });

  it("calls other paths under /app malformed", () => {
    for (const path of ["/app", "/app/", "/app//", "/app/key/extra", "/app/%E0%A4%A"]) {
      expect(parseSocketPath(path)).toEqual({ kind: "malformed" });
    }
  });

  it("leaves paths outside /app alone, including the REST prefix /apps", () => {
    for (const path of ["/", "/apps/1/events", "/application", "/health"]) {
      expect(parseSocketPath(path)).toEqual({ kind: "other" });
    }
  });
});
