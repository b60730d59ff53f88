import { describe, expect, it } from "vitest";
import { historyFor, parseHistory } from "../../src/config/history";
import { loadApps } from "../../src/config/registry";

describe("the history option", () => {
  it("matches channels by pattern, with * for any run of characters", () => {
    const parsed = parseHistory({ channels: ["chat-*", "private-chat-*", "log.main"] }, "history");
    if (!parsed.ok) throw new Error(parsed.error);
    const matches = ["chat-1", "private-chat-x", "log.main", "chatty", "logxmain", "presence-chat-1"].map(
      (channel) => historyFor(parsed.value, channel) !== undefined,
    );
    expect(matches).toEqual([true, true, true, false, false, false]);
    expect(parsed.value).toMatchObject({ maxEvents: 1000, maxSeconds: 86_400, clientEvents: false });
  });

  it.each([
    [["chat-*"], "history must be an object"],
    [{}, "history.channels must be a non-empty list"],
    [{ channels: [] }, "history.channels must be a non-empty list"],
    [{ channels: ["chat/*"] }, 'history.channels[0] must be a channel name in which "*" stands for any characters'],
    [{ channels: ["*"], max_events: 0 }, "history.max_events must be a whole number from 1 to 100000, got 0"],
    [{ channels: ["*"], max_seconds: 2_592_001 }, "history.max_seconds must be a whole number from 1 to 2592000"],
    [{ channels: ["*"], client_events: "yes" }, "history.client_events must be true or false, got a string"],
    [{ channels: ["*"], size: 1 }, "history.size is not a history option"],
  ])("refuses %j", (value, message) => {
    const parsed = parseHistory(value, "history");
    expect(parsed.ok ? "accepted" : parsed.error).toContain(message);
  });

  it("is read from HISTORY for the single app and refused beside APPS", () => {
    const env = { APP_SECRET: "single-secret-0123456789", HISTORY: '{"channels":["chat-*"],"max_events":5}' };
    const single = loadApps(env);
    expect(single.ok && single.byId("sower")?.history?.maxEvents).toBe(5);
    const apps = JSON.stringify([{ id: "a", key: "a-key", secret: "a-secret-0123456789abcdef" }]);
    const both = loadApps({ ...env, APPS: apps });
    expect(both.ok ? "accepted" : both.problem).toContain("HISTORY configures the single app");
    const bad = loadApps({ APP_SECRET: env.APP_SECRET, HISTORY: "{" });
    expect(bad.ok ? "accepted" : bad.problem).toBe("HISTORY is not valid JSON");
  });
});
