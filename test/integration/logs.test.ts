import { afterEach, describe, expect, it, vi } from "vitest";
import { appTrigger } from "./support/app-rest";
import { openAppSocket } from "./support/app-sockets";
import { APP_A, CAPPED_APP, LIMITED_APP } from "./support/apps";
import { warnings } from "./support/logs";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("operator log lines", () => {
  it("logs a rate-limit hit once, with the app and the limit", async () => {
    const channels = ["a", "b", "c", "d", "e"].map((name) => `logged-${name}`);
    const lines = await warnings(async () => {
      expect((await appTrigger(LIMITED_APP, channels, "wide", "{}")).status).toBe(429);
    });
    expect(lines).toEqual([
      { level: "warn", message: "rate limit reached", app: LIMITED_APP.id, kind: "backendEvents", limit: 3 },
    ]);
  });

  it("logs a REST auth failure with the app and reason, never the secret or signature", async () => {
    const lines = await warnings(async () => {
      expect(
        (await appTrigger(APP_A, ["x"], "forged", "{}", { signer: { key: APP_A.key, secret: LIMITED_APP.secret } }))
          .status,
      ).toBe(401);
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: "warn", message: "rest auth failed", app: APP_A.id, method: "POST" });
    const text = JSON.stringify(lines);
    expect(text).not.toContain(APP_A.secret);
    expect(text).not.toContain(LIMITED_APP.secret);
    expect(text).not.toContain("auth_signature=");
  });

  it("logs a refused connection with the app and the code", async () => {
    const lines = await warnings(async () => {
      const sockets = [await openAppSocket(CAPPED_APP.key), await openAppSocket(CAPPED_APP.key)];
      for (const socket of sockets) await socket.nextEvent("pusher:connection_established");
      const refused = await openAppSocket(CAPPED_APP.key);
      await refused.waitClosed();
    });
    expect(lines).toContainEqual({
      level: "warn",
      message: "connection refused",
      app: CAPPED_APP.id,
      code: 4100,
      reason: "Over capacity: this app allows at most 2 connections",
    });
  });
});
