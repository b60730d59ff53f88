import { describe, expect, it } from "vitest";
import { constantTimeEqual } from "../../src/auth/crypto";
import {
  channelStringToSign,
  checkAppToken,
  retiredTokenMessage,
  signToken,
  userStringToSign,
  verifyToken,
} from "../../src/auth/signatures";

/**
 * Pusher's worked examples (pusher.com/docs/channels/library_auth_reference/auth-signatures).
 * The page's presence example prints the signature of its earlier wording,
 * user_info {"name":"Mr. Pusher"}; the string below is the one that signature covers.
 */
const app = { key: "278d425bdf160c739803", secret: "7ad3773142a6692b25b8" };
const socketId = "1234.1234";
const PRIVATE = "278d425bdf160c739803:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4";
const PRESENCE_DATA = '{"user_id":10,"user_info":{"name":"Mr. Pusher"}}';
const PRESENCE = "278d425bdf160c739803:afaed3695da2ffd16931f457e338e6c9f2921fa133ce7dac49f529792be6304c";
const USER_DATA = '{"id":"12345"}';
const USER = "278d425bdf160c739803:4708d583dada6a56435fb8bc611c77c359a31eebde13337c16ab43aa6de336ba";

describe("strings to sign", () => {
  it("is socket:channel for private channels", () => {
    expect(channelStringToSign(socketId, "private-foobar")).toBe("1234.1234:private-foobar");
  });

  it("is socket:channel:channel_data for presence channels, with channel_data byte for byte", () => {
    expect(channelStringToSign(socketId, "presence-foobar", PRESENCE_DATA)).toBe(
      `1234.1234:presence-foobar:${PRESENCE_DATA}`,
    );
  });

  it("is socket::user::user_data for sign-in", () => {
    expect(userStringToSign(socketId, USER_DATA)).toBe('1234.1234::user::{"id":"12345"}');
  });
});

describe("Pusher's published signatures", () => {
  it("signs the private channel example", async () => {
    expect(await signToken(app, channelStringToSign(socketId, "private-foobar"))).toBe(PRIVATE);
  });

  it("signs the presence channel example", async () => {
    expect(await signToken(app, channelStringToSign(socketId, "presence-foobar", PRESENCE_DATA))).toBe(PRESENCE);
  });

  it("signs the user authentication example", async () => {
    expect(await signToken(app, userStringToSign(socketId, USER_DATA))).toBe(USER);
  });
});

describe("verifying tokens", () => {
  const signed = channelStringToSign(socketId, "private-foobar");

  it("accepts the published token", async () => {
    expect(await verifyToken(app, PRIVATE, signed)).toBe(true);
  });

  it.each([
    ["an empty token", ""],
    ["the signature without the key", PRIVATE.split(":")[1] ?? ""],
    ["another key with the right signature", PRIVATE.replace("278d425bdf160c739803", "278d425bdf160c739804")],
    ["a signature with one character changed", `${PRIVATE.slice(0, -1)}5`],
    ["an upper-case signature", PRIVATE.replace(/:.*/, (sig) => sig.toUpperCase())],
    ["a truncated signature", PRIVATE.slice(0, -2)],
    ["a token with extra characters", `${PRIVATE}0`],
  ])("refuses %s", async (_name, token) => {
    expect(await verifyToken(app, token, signed)).toBe(false);
  });

  it("refuses the token for another channel or socket", async () => {
    expect(await verifyToken(app, PRIVATE, channelStringToSign(socketId, "private-foobaz"))).toBe(false);
    expect(await verifyToken(app, PRIVATE, channelStringToSign("1234.1235", "private-foobar"))).toBe(false);
  });

  it("refuses a presence token whose channel_data was re-encoded", async () => {
    const respaced = '{"user_id": 10, "user_info": {"name": "Mr. Pusher"}}';
    expect(await verifyToken(app, PRESENCE, channelStringToSign(socketId, "presence-foobar", respaced))).toBe(false);
  });
});

describe("constant-time comparison", () => {
  it("compares equal and unequal strings of equal and unequal lengths", () => {
    expect(constantTimeEqual("abc", "abc")).toBe(true);
    expect(constantTimeEqual("abc", "abd")).toBe(false);
    expect(constantTimeEqual("abc", "ab")).toBe(false);
    expect(constantTimeEqual("", "a")).toBe(false);
    expect(constantTimeEqual("", "")).toBe(true);
    expect(constantTimeEqual("é", "e")).toBe(false);
  });
});

describe("an app's tokens, with several key pairs", () => {
  const next = { key: "next-key", secret: "next-secret-0123456789", retired: false };
  const old = { key: "old-key", secret: "old-secret-0123456789", retired: true };
  const rotating = { keys: [{ ...app, retired: false }, next, old] };
  const signed = channelStringToSign(socketId, "private-foobar");

  it("accepts a token signed with any pair that is not retired", async () => {
    expect(await checkAppToken(rotating, PRIVATE, signed)).toEqual({ ok: true, value: undefined });
    expect(await checkAppToken(rotating, await signToken(next, signed), signed)).toEqual({
      ok: true,
      value: undefined,
    });
  });

  it("refuses a retired pair's token as retired, naming its key", async () => {
    expect(await checkAppToken(rotating, await signToken(old, signed), signed)).toEqual({
      ok: false,
      error: { kind: "retired", key: "old-key" },
    });
    expect(retiredTokenMessage("old-key")).toBe(
      "The auth token is signed with the retired key 'old-key': the auth endpoint must sign with a current key and secret of the app",
    );
  });

  it.each([
    ["a key the app does not list", async () => signToken({ key: "gone-key", secret: next.secret }, signed)],
    ["one pair's key with another pair's secret", async () => signToken({ key: next.key, secret: app.secret }, signed)],
    ["a token without a key", async () => PRIVATE.replace(/^[^:]*:/, "")],
  ])("refuses %s as invalid", async (_name, token) => {
    expect(await checkAppToken(rotating, await token(), signed)).toEqual({ ok: false, error: { kind: "invalid" } });
  });
});
