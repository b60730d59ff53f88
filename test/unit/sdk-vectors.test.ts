import { describe, expect, it } from "vitest";
import { hmacSha256Hex, md5Hex } from "../../src/auth/crypto";
import { restStringToSign, verifyRestSignature } from "../../src/auth/rest-signature";
import { channelStringToSign, signToken, userStringToSign, verifyToken } from "../../src/auth/signatures";
import { useNodeMd5 } from "../support/node-md5";
import {
  loadMd5Vectors,
  loadRestVectors,
  loadStringToSignVectors,
  loadTokenVectors,
  loadWebhookVectors,
  type RestVector,
  type TokenVector,
} from "../support/sdk-vectors";

/**
 * Known answers from Pusher's server SDKs (test/vectors/, each vector naming
 * its source). Pusher's own worked examples stay in signatures.test.ts and
 * rest-signature.test.ts. Sower verifies tokens and REST requests, so each of
 * those must be accepted as the SDK signs it and refused with one character
 * changed; it signs webhooks, so those must come out as the SDK expects.
 */

useNodeMd5();

const channelVectors = loadTokenVectors("channel-auth.json", "channel");
const presenceVectors = loadTokenVectors("presence-auth.json", "channel");
const userVectors = loadTokenVectors("user-auth.json", "user_data");
const restVectors = loadRestVectors("rest-request.json");
const stringVectors = loadStringToSignVectors("rest-request.json");
const md5Vectors = loadMd5Vectors("rest-request.json");
const webhookVectors = loadWebhookVectors("webhook.json");

describe("every vector file has vectors", () => {
  it.each([
    ["channel-auth.json", channelVectors.length],
    ["presence-auth.json", presenceVectors.length],
    ["user-auth.json", userVectors.length],
    ["rest-request.json vectors", restVectors.length],
    ["rest-request.json strings_to_sign", stringVectors.length],
    ["rest-request.json body_md5", md5Vectors.length],
    ["webhook.json", webhookVectors.length],
  ])("%s", (_file, count) => {
    expect(count).toBeGreaterThan(0);
  });
});

/** The same string with its last character replaced, as a forger's near miss. */
function oneCharacterChanged(text: string): string {
  return `${text.slice(0, -1)}${text.endsWith("0") ? "1" : "0"}`;
}

function describeTokens(
  title: string,
  vectors: TokenVector[],
  stringToSign: (vector: TokenVector) => string,
  hasChannelData: boolean,
) {
  describe(title, () => {
    it.each(vectors.map((vector) => [vector.source, vector] as const))("%s", async (_source, vector) => {
      expect(vector.channelData !== undefined).toBe(hasChannelData);
      const signed = stringToSign(vector);
      if (vector.stringToSign !== undefined) expect(signed).toBe(vector.stringToSign);
      if (vector.auth !== undefined) {
        const { app, token } = vector.auth;
        expect(await signToken(app, signed)).toBe(token);
        expect(await verifyToken(app, token, signed)).toBe(true);
        expect(await verifyToken(app, oneCharacterChanged(token), signed)).toBe(false);
      }
    });
  });
}

describeTokens(
  "private channel tokens",
  channelVectors,
  (vector) => channelStringToSign(vector.socketId, vector.subject),
  false,
);
describeTokens(
  "presence channel tokens (channel_data signed as given)",
  presenceVectors,
  (vector) => channelStringToSign(vector.socketId, vector.subject, vector.channelData),
  true,
);
describeTokens(
  "user sign-in tokens",
  userVectors,
  (vector) => userStringToSign(vector.socketId, vector.subject),
  false,
);

/** The query as sent: values raw, as Go, Node and Python send them, or percent-encoded, as Java and Ruby do. */
function query(vector: RestVector, signature: string, encode: (text: string) => string): string {
  return [...vector.params, ["auth_signature", signature] as const]
    .map(([key, value]) => `${encode(key)}=${encode(value)}`)
    .join("&");
}

function verify(vector: RestVector, signature: string, encode: (text: string) => string = (text) => text) {
  const request = {
    method: vector.method,
    path: vector.path,
    query: query(vector, signature, encode),
    body: new TextEncoder().encode(vector.body),
  };
  return verifyRestSignature({ keys: [{ ...vector.app, retired: false }] }, request, vector.timestamp);
}

describe("REST requests as the SDKs sign them", () => {
  const cases = restVectors.map((vector) => [vector.source, vector] as const);

  it.each(cases)("accepts %s", async (_source, vector) => {
    if (vector.stringToSign !== undefined) {
      expect(restStringToSign(vector.method, vector.path, vector.params)).toBe(vector.stringToSign);
    }
    expect(await verify(vector, vector.signature)).toEqual({ ok: true, value: undefined });
    expect(await verify(vector, vector.signature, encodeURIComponent)).toEqual({ ok: true, value: undefined });
  });

  it.each(cases)("refuses with one signature character changed: %s", async (_source, vector) => {
    expect(await verify(vector, oneCharacterChanged(vector.signature))).toEqual({
      ok: false,
      error: expect.stringContaining("Invalid signature"),
    });
  });
});

describe("REST strings to sign", () => {
  it.each(stringVectors.map((vector) => [vector.source, vector] as const))("%s", (_source, vector) => {
    const built = restStringToSign(vector.method, vector.path, vector.params);
    if (vector.differs !== undefined) {
      // Sower keeps to Pusher's spec here; the vector records where this SDK departs from it.
      expect(built).toBe(vector.differs.stringToSign);
      expect(built).not.toBe(vector.expected.text);
    } else if (vector.expected.contains) {
      expect(built).toContain(vector.expected.text);
    } else {
      expect(built).toBe(vector.expected.text);
    }
  });
});

describe("body_md5", () => {
  it.each(md5Vectors.map((vector) => [vector.source, vector] as const))("%s", async (_source, vector) => {
    expect(await md5Hex(vector.body)).toBe(vector.md5);
  });
});

describe("webhook signatures Sower sends", () => {
  it.each(webhookVectors.map((vector) => [vector.source, vector] as const))("%s", async (_source, vector) => {
    expect(await hmacSha256Hex(vector.secret, vector.body)).toBe(vector.signature);
    expect(await hmacSha256Hex(vector.secret, new TextEncoder().encode(vector.body))).toBe(vector.signature);
  });
});
