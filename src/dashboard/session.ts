import { constantTimeEqual, hmacSha256Hex } from "../auth/crypto";
import { isRecord, tryParseJson } from "../lib/json";

/** Who a session speaks for: the operator (every app) or one app, opened with one of its keys. */
export type Scope =
  | { readonly kind: "operator" }
  | { readonly kind: "app"; readonly appId: string; readonly key: string };

export interface Session {
  readonly scope: Scope;
  /** Unix seconds. */
  readonly expires: number;
}

export const SESSION_COOKIE = "sower_dashboard";
export const SESSION_SECONDS = 8 * 60 * 60;
/** Separates these MACs from any other use of the token, so a session MAC can never be replayed as something else. */
const PURPOSE = "sower-dashboard-session-v1\n";

/**
 * The secret a tenant's session is bound to: the current secret of the key it
 * logged in with, or undefined once that key is retired or gone.
 */
export type SecretOf = (appId: string, key: string) => string | undefined;

/**
 * `<payload>.<mac>`: the payload is base64url JSON (`{"s":"*"}` or
 * `{"a":app,"k":key}` plus `"e"`, the expiry); the MAC is HMAC-SHA256 under
 * the dashboard token of the payload and, for a tenant, its key's secret.
 * The cookie holds no secret, changing the token ends every session, and
 * changing or retiring a key's secret ends the sessions it opened.
 */
export async function signSession(session: Session, token: string, secretOf: SecretOf): Promise<string | undefined> {
  const { scope } = session;
  const body =
    scope.kind === "operator" ? { s: "*", e: session.expires } : { a: scope.appId, k: scope.key, e: session.expires };
  const payload = base64url(JSON.stringify(body));
  const binding = scope.kind === "operator" ? "" : secretOf(scope.appId, scope.key);
  if (binding === undefined) return undefined;
  return `${payload}.${await mac(token, payload, binding)}`;
}

/** The session a cookie value carries, if its MAC is right, it has not expired and its key is still current. */
export async function verifySession(
  value: string,
  token: string,
  nowSeconds: number,
  secretOf: SecretOf,
): Promise<Session | undefined> {
  const [payload, given, extra] = value.split(".");
  if (payload === undefined || given === undefined || extra !== undefined) return undefined;
  const session = parsePayload(payload);
  if (session === undefined || session.expires <= nowSeconds) return undefined;
  const { scope } = session;
  const binding = scope.kind === "operator" ? "" : secretOf(scope.appId, scope.key);
  if (binding === undefined) return undefined;
  return constantTimeEqual(given, await mac(token, payload, binding)) ? session : undefined;
}

function mac(token: string, payload: string, binding: string): Promise<string> {
  return hmacSha256Hex(token, `${PURPOSE}${payload}\n${binding}`);
}

function parsePayload(payload: string): Session | undefined {
  const text = fromBase64url(payload);
  const body = text === undefined ? undefined : tryParseJson(text);
  if (!isRecord(body) || typeof body.e !== "number") return undefined;
  if (body.s === "*") return { scope: { kind: "operator" }, expires: body.e };
  if (typeof body.a === "string" && typeof body.k === "string") {
    return { scope: { kind: "app", appId: body.a, key: body.k }, expires: body.e };
  }
  return undefined;
}

/** The session cookie as sent by the browser, from the Cookie header. */
export function sessionCookie(request: Request): string | undefined {
  for (const part of (request.headers.get("Cookie") ?? "").split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === SESSION_COOKIE) return value.join("=");
  }
  return undefined;
}

/**
 * HttpOnly keeps it from page scripts, Secure from plain HTTP (browsers treat
 * localhost as secure, so local development still works), SameSite=Strict
 * from every request another site starts, Path from the rest of the origin.
 */
export function setSessionCookie(value: string, maxAge: number): string {
  return `${SESSION_COOKIE}=${value}; Max-Age=${maxAge}; Path=/dashboard; HttpOnly; Secure; SameSite=Strict`;
}

function base64url(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64url(text: string): string | undefined {
  try {
    const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(
      Uint8Array.from(binary, (char) => char.charCodeAt(0)),
    );
  } catch {
    return undefined;
  }
}
