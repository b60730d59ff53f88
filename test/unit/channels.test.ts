import { describe, expect, it } from "vitest";
import { classifyChannel, parseChannelName, requiresAuth } from "../../src/protocol/channels";

/** Also checks that classifying the valid name alone, as the Beacon does, agrees with parsing it. */
function kindOf(name: string) {
  const result = parseChannelName(name);
  if (!result.ok) throw new Error(result.error);
  expect(classifyChannel(name)).toEqual(result.value);
  return { kind: result.value.kind, cached: result.value.cached };
}

function errorOf(name: string, max?: number) {
  const result = parseChannelName(name, max);
  if (result.ok) throw new Error(`accepted ${name}`);
  return result.error;
}

describe("channel names", () => {
  it.each([
    ["news", "public", false],
    ["cache-news", "public", true],
    ["private-chat", "private", false],
    ["private-cache-chat", "private", true],
    ["private-encrypted-chat", "encrypted", false],
    ["private-encrypted-cache-chat", "encrypted", true],
    ["presence-room", "presence", false],
    ["presence-cache-room", "presence", true],
    ["privatechat", "public", false],
    ["presence", "public", false],
  ])("classifies %s as %s (cached: %s)", (name, kind, cached) => {
    expect(kindOf(name)).toEqual({ kind, cached });
  });

  it("classifies a server-to-user channel and keeps its user id", () => {
    expect(parseChannelName("#server-to-user-42")).toEqual({
      ok: true,
      value: { name: "#server-to-user-42", kind: "server-to-user", cached: false, userId: "42" },
    });
    expect(classifyChannel("#server-to-user-42")).toEqual({
      name: "#server-to-user-42",
      kind: "server-to-user",
      cached: false,
      userId: "42",
    });
    expect(errorOf("#server-to-user-")).toBe("Invalid server-to-user channel name");
  });

  it("allows letters, digits and _ - = @ , . ; only", () => {
    expect(kindOf("private-Az09_-=@,.;")).toEqual({ kind: "private", cached: false });
    for (const bad of ["a b", "a:b", "a/b", "a#b", "a*b", "café", "a\nb", "a+b"]) {
      expect(errorOf(bad)).toBe("Channel names may only contain letters, digits and _ - = @ , . ;");
    }
  });

  it("allows 164 characters and refuses 165 or an empty name", () => {
    expect(kindOf("c".repeat(164))).toEqual({ kind: "public", cached: false });
    expect(errorOf("c".repeat(165))).toBe("Channel name is longer than 164 characters");
    expect(errorOf("")).toBe("Channel name must not be empty");
  });

  it("takes an app's own length limit", () => {
    expect(errorOf("c".repeat(11), 10)).toBe("Channel name is longer than 10 characters");
  });

  it("requires auth for private, encrypted and presence channels only", () => {
    expect(requiresAuth("private")).toBe(true);
    expect(requiresAuth("encrypted")).toBe(true);
    expect(requiresAuth("presence")).toBe(true);
    expect(requiresAuth("public")).toBe(false);
  });
});
