import { describe, expect, it } from "vitest";
import { parseUserData } from "../../src/protocol/user-data";

describe("parseUserData", () => {
  it("reads id, user_info and a de-duplicated watchlist", () => {
    const parsed = parseUserData(JSON.stringify({ id: "7", user_info: { name: "Ada" }, watchlist: ["1", "2", "1"] }));
    expect(parsed).toEqual({ ok: true, value: { id: "7", info: { name: "Ada" }, watchlist: ["1", "2"] } });
  });

  it.each([
    ["not json", "user_data is not valid JSON"],
    ["[]", "user_data must be a JSON object"],
    [JSON.stringify({ id: 7 }), "user_data.id must be a non-empty string"],
    [JSON.stringify({ id: "" }), "user_data.id must be a non-empty string"],
    [JSON.stringify({ id: "x".repeat(129) }), "user_data.id is longer than 128 characters"],
    [JSON.stringify({ id: "1", watchlist: "2" }), "user_data.watchlist must be an array of user ids"],
    [JSON.stringify({ id: "1", watchlist: [2] }), "user_data.watchlist entries must be user id strings"],
    [
      JSON.stringify({ id: "1", watchlist: Array.from({ length: 101 }, (_, i) => `${i}`) }),
      "user_data.watchlist has more than 100 user ids",
    ],
  ])("refuses %s", (userData, error) => {
    expect(parseUserData(userData)).toEqual({ ok: false, error });
  });
});
