import { describe, expect, it } from "vitest";
import { utf8Length } from "../../src/lib/text";

const encoded = (text: string) => new TextEncoder().encode(text).length;

describe("utf8Length", () => {
  it.each([
    ["empty", ""],
    ["ASCII", '{"event":"client-typing","channel":"private-chat","data":{}}'],
    ["two-byte characters", "héllo wörld ñ"],
    ["three-byte characters", "日本語のテキスト €"],
    ["surrogate pairs", "emoji 😀🎉 and 𝄞"],
    ["a lone high surrogate in the middle", "a\ud83db"],
    ["a lone high surrogate at the end", "end\ud83d"],
    ["a lone low surrogate", "x\ude00y"],
    ["a low surrogate before a high one", "\ude00\ud83d"],
    ["the edges of each range", "\u007f\u0080\u07ff\u0800\uffff\ud800\udc00\udbff\udfff"],
  ])("counts %s as TextEncoder encodes them", (_, text) => {
    expect(utf8Length(text)).toBe(encoded(text));
  });

  it("counts a long mixed text exactly", () => {
    const text = "aé日😀\ud800".repeat(2_000);
    expect(utf8Length(text)).toBe(encoded(text));
    expect(utf8Length(text)).toBe(2_000 * (1 + 2 + 3 + 4 + 3));
  });
});
