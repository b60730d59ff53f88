import type { App } from "../config/app";
import { findKey } from "../config/app-keys";
import { err, ok, type Result } from "../lib/result";
import { clip, tryDecodeURIComponent } from "../lib/text";
import { REST_AUTH_PARAMS, REST_AUTH_VERSION, REST_TIMESTAMP_WINDOW_SECONDS } from "../protocol/rest";
import { constantTimeEqual, hmacSha256Hex, md5Hex } from "./crypto";

/** What the signature of an HTTP API request covers. */
export interface SignedRequest {
  /** Upper-case, as signed. */
  readonly method: string;
  /** The path exactly as it arrived, percent-encoding kept. */
  readonly path: string;
  /** The query string, percent-encoding kept; a leading `?` (as in `URL.search`) is ignored. */
  readonly query: string;
  readonly body: Uint8Array;
}

type Pair = readonly [key: string, value: string];

/**
 * Checks `auth_key`, `auth_version`, `auth_timestamp` (±600 s), `body_md5`
 * and `auth_signature` (docs/protocol.md §12.2). `auth_key` names which of the
 * app's pairs signed, so a backend may use any pair not retired. Every failure
 * is a message for a 401: it names what to fix and never the expected signature.
 */
export async function verifyRestSignature(
  app: Pick<App, "keys">,
  request: SignedRequest,
  nowSeconds: number,
): Promise<Result<void, string>> {
  const raw = splitQuery(request.query);
  const decoded = raw.map(([key, value]): Pair => [decodeComponent(key), decodeComponent(value)]);
  const auth = readAuthParams(decoded);
  if (!auth.ok) return auth;
  const { key, timestamp, version, signature, bodyMd5 } = auth.value;

  const pair = findKey(app, key);
  if (pair === undefined) return err(`Unknown auth_key '${clip(key)}'`);
  if (pair.retired) {
    return err(`auth_key '${clip(key)}' is retired: sign requests with a current key and secret of the app`);
  }
  if (version !== REST_AUTH_VERSION) {
    return err(`Unsupported auth_version '${clip(version)}': only ${REST_AUTH_VERSION} is supported`);
  }
  const skew = timestampSkew(timestamp, nowSeconds);
  if (skew === undefined) return err("auth_timestamp must be a Unix time in seconds");
  if (Math.abs(skew) > REST_TIMESTAMP_WINDOW_SECONDS) {
    return err(
      `Timestamp expired: auth_timestamp ${timestamp} is ${Math.abs(skew)} s ${skew < 0 ? "behind" : "ahead of"} ` +
        `the server's time ${nowSeconds}; at most ${REST_TIMESTAMP_WINDOW_SECONDS} s is allowed. Check the backend's clock.`,
    );
  }
  if (bodyMd5 !== undefined || request.body.length > 0) {
    if (bodyMd5 === undefined) return err("Missing body_md5: a request with a body must sign its MD5");
    if (!constantTimeEqual(bodyMd5.toLowerCase(), await md5Hex(request.body))) {
      return err("body_md5 does not match the MD5 of the request body");
    }
  }

  const signed = candidateStrings(request, raw, decoded);
  const given = signature.toLowerCase();
  for (const candidate of signed) {
    if (constantTimeEqual(given, await hmacSha256Hex(pair.secret, candidate))) return ok(undefined);
  }
  return err(
    `Invalid signature: expected the HMAC-SHA256 hex digest, keyed with the secret of auth_key's pair, of ${JSON.stringify(signed[0])}`,
  );
}

/**
 * `METHOD\npath\nparams`: every parameter but `auth_signature`, keys
 * lower-cased, sorted by key, joined as `k=v&...` without URL-escaping.
 */
export function restStringToSign(method: string, path: string, params: readonly Pair[]): string {
  const query = params
    .filter(([key]) => key.toLowerCase() !== REST_AUTH_PARAMS.signature)
    .map(([key, value]): Pair => [key.toLowerCase(), value])
    .sort(([a, x], [b, y]) => compare(a, b) || compare(x, y))
    .map(([key, value]) => `${key}=${value}`)
    .join("&");
  return `${method.toUpperCase()}\n${path}\n${query}`;
}

/**
 * SDKs sign the values they meant, before any escaping, and most put them in
 * the URL unescaped (pusher-http-node sends `info=user_count,subscription_count`
 * as is). Proxies and HTTP stacks may escape the path or the query on the way.
 * So the decoded form is tried first, then the form as received: a forger
 * gains nothing, since every candidate still needs the secret.
 */
function candidateStrings(request: SignedRequest, raw: readonly Pair[], decoded: readonly Pair[]): string[] {
  const paths = unique([tryDecodeURIComponent(request.path) ?? request.path, request.path]);
  const queries = [decoded, raw];
  const strings: string[] = [];
  for (const path of paths) {
    for (const params of queries) strings.push(restStringToSign(request.method, path, params));
  }
  return unique(strings);
}

interface AuthParams {
  key: string;
  timestamp: string;
  version: string;
  signature: string;
  bodyMd5: string | undefined;
}

function readAuthParams(params: readonly Pair[]): Result<AuthParams, string> {
  const values = new Map<string, string[]>();
  for (const [key, value] of params) {
    const name = key.toLowerCase();
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  const one = (name: string): Result<string | undefined, string> => {
    const found = values.get(name) ?? [];
    return found.length > 1 ? err(`${name} is given more than once`) : ok(found[0]);
  };
  const required = [
    REST_AUTH_PARAMS.key,
    REST_AUTH_PARAMS.timestamp,
    REST_AUTH_PARAMS.version,
    REST_AUTH_PARAMS.signature,
  ] as const;
  const found: string[] = [];
  for (const name of required) {
    const value = one(name);
    if (!value.ok) return value;
    if (value.value === undefined || value.value === "") {
      return err(`Missing ${name}: requests must be signed as Pusher's HTTP API requires (use a Pusher server SDK)`);
    }
    found.push(value.value);
  }
  const bodyMd5 = one(REST_AUTH_PARAMS.bodyMd5);
  if (!bodyMd5.ok) return bodyMd5;
  const [key = "", timestamp = "", version = "", signature = ""] = found;
  return ok({ key, timestamp, version, signature, bodyMd5: bodyMd5.value });
}

/** Seconds the request's clock is ahead of ours (negative: behind); undefined if not a time. */
function timestampSkew(timestamp: string, nowSeconds: number): number | undefined {
  if (!/^\d{1,12}$/.test(timestamp)) return undefined;
  return Number(timestamp) - Math.floor(nowSeconds);
}

function splitQuery(query: string): Pair[] {
  const pairs: Pair[] = [];
  for (const part of query.replace(/^\?/, "").split("&")) {
    if (part === "") continue;
    const at = part.indexOf("=");
    pairs.push(at === -1 ? [part, ""] : [part.slice(0, at), part.slice(at + 1)]);
  }
  return pairs;
}

/** As URLSearchParams decodes: `+` is a space; a malformed escape is kept as is. */
function decodeComponent(text: string): string {
  const spaced = text.replaceAll("+", " ");
  return tryDecodeURIComponent(spaced) ?? spaced;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
