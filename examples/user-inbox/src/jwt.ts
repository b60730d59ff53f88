import { createHmac, timingSafeEqual } from "node:crypto";
import { asRecord } from "./json.ts";

/**
 * HS256 JSON Web Tokens: the app's own sign-in tokens, checked before the
 * backend signs a device in to Sower. Forty lines of node:crypto instead of a
 * library, since one algorithm with a shared secret is all the app issues.
 */

export interface Claims {
  /** The user id the token was issued to. */
  sub: string;
  /** Expiry, in seconds since the epoch. */
  exp: number;
}

export type Verification = { ok: true; claims: Claims } | { ok: false; reason: string };

const HEADER = encode(JSON.stringify({ alg: "HS256", typ: "JWT" }));

export function signJwt(claims: Claims, secret: string): string {
  const unsigned = `${HEADER}.${encode(JSON.stringify(claims))}`;
  return `${unsigned}.${mac(unsigned, secret).toString("base64url")}`;
}

export function verifyJwt(token: string, secret: string, nowSeconds = Date.now() / 1000): Verification {
  const parts = token.split(".");
  const [header, payload, signature] = parts;
  if (parts.length !== 3 || header === undefined || payload === undefined || signature === undefined) {
    return { ok: false, reason: "not a JWT" };
  }
  // The algorithm is pinned, never taken from the token: "none" or RS256 tricks fail here.
  if (readJson(header)?.alg !== "HS256") return { ok: false, reason: "algorithm must be HS256" };
  const expected = mac(`${header}.${payload}`, secret);
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: "bad signature" };
  }
  const claims = readJson(payload);
  const sub = claims?.sub;
  const exp = claims?.exp;
  if (typeof sub !== "string" || sub === "") return { ok: false, reason: "no subject" };
  if (typeof exp !== "number") return { ok: false, reason: "no expiry" };
  if (exp <= nowSeconds) return { ok: false, reason: "expired" };
  const nbf = claims?.nbf;
  if (nbf !== undefined && (typeof nbf !== "number" || nbf > nowSeconds)) return { ok: false, reason: "not yet valid" };
  return { ok: true, claims: { sub, exp } };
}

function mac(text: string, secret: string): Buffer {
  return createHmac("sha256", secret).update(text).digest();
}

function encode(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}

function readJson(part: string): Record<string, unknown> | undefined {
  try {
    return asRecord(JSON.parse(Buffer.from(part, "base64url").toString("utf8")));
  } catch {
    return undefined;
  }
}
