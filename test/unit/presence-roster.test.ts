import { describe, expect, it } from "vitest";
import { parsePresenceMember } from "../../src/beacon/handlers/subscribe";
import { PresenceRoster } from "../../src/beacon/state/presence-roster";

describe("presence roster", () => {
  it("counts a user once however many sockets it has", () => {
    const roster = new PresenceRoster();
    expect(roster.join("presence-a", "ada", { n: 1 }, "1.1")).toBe(true);
    expect(roster.join("presence-a", "ada", { n: 1 }, "2.2")).toBe(false);
    expect(roster.join("presence-a", "bob", {}, "3.3")).toBe(true);
    expect(roster.snapshot("presence-a")).toEqual({ ids: ["ada", "bob"], hash: { ada: { n: 1 }, bob: {} }, count: 2 });

    expect(roster.leave("presence-a", "ada", "1.1")).toBe(false);
    expect(roster.isMember("presence-a", "ada")).toBe(true);
    expect(roster.leave("presence-a", "ada", "2.2")).toBe(true);
    expect(roster.isMember("presence-a", "ada")).toBe(false);
    expect(roster.memberCount("presence-a")).toBe(1);
  });

  it("keys the hash by every user id, also those an object inherits such as __proto__", () => {
    const roster = new PresenceRoster();
    const ids = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "bob"];
    for (const [index, id] of ids.entries()) roster.join("presence-a", id, { id }, `${index}.1`);
    const snapshot = roster.snapshot("presence-a");
    expect(snapshot.ids).toEqual(ids);
    expect(Object.getPrototypeOf(snapshot.hash)).toBe(Object.prototype);
    expect(Object.entries(snapshot.hash)).toEqual(ids.map((id) => [id, { id }]));
    expect(JSON.stringify(snapshot.hash)).toBe(`{${ids.map((id) => `"${id}":{"id":"${id}"}`).join(",")}}`);
  });

  it("ignores leaving a channel or user it does not know", () => {
    const roster = new PresenceRoster();
    expect(roster.leave("presence-a", "ada", "1.1")).toBe(false);
    roster.join("presence-a", "ada", {}, "1.1");
    expect(roster.leave("presence-a", "ada", "9.9")).toBe(false);
    expect(roster.snapshot("presence-b")).toEqual({ ids: [], hash: {}, count: 0 });
  });
});

describe("presence channel_data", () => {
  it("reads user_id and user_info, keeping numeric ids as strings", () => {
    expect(parsePresenceMember('{"user_id":10,"user_info":{"name":"Mr. Pusher"}}', 1024)).toEqual({
      ok: true,
      value: { userId: "10", info: { name: "Mr. Pusher" }, infoJson: '{"name":"Mr. Pusher"}' },
    });
    expect(parsePresenceMember('{"user_id":"ada"}', 1024)).toEqual({
      ok: true,
      value: { userId: "ada", info: {}, infoJson: "{}" },
    });
  });

  it.each([
    ["not JSON", "{", "channel_data is not valid JSON"],
    ["an array", "[]", "channel_data must be a JSON object"],
    ["no user_id", "{}", "channel_data.user_id must be a non-empty string"],
    ["an empty user_id", '{"user_id":""}', "channel_data.user_id must be a non-empty string"],
    ["a boolean user_id", '{"user_id":true}', "channel_data.user_id must be a non-empty string"],
    [
      "a 129-character user_id",
      JSON.stringify({ user_id: "u".repeat(129) }),
      "channel_data.user_id is longer than 128 characters",
    ],
    [
      "user_info over the limit",
      JSON.stringify({ user_id: "a", user_info: "x".repeat(1023) }),
      "channel_data.user_info is larger than 1024 bytes",
    ],
  ])("refuses %s", (_name, channelData, error) => {
    expect(parsePresenceMember(channelData, 1024)).toEqual({ ok: false, error });
  });
});
