/**
 * An independent signer for Pusher HTTP API requests, written from the
 * published spec (api "Authentication") rather than from src/, so tests do
 * not check the server against itself. It builds the URL the way
 * pusher-http-node does: parameter values go into the query unescaped.
 * Runs anywhere Web Crypto has MD5 (workerd); Node tests use the real SDK.
 */
export interface SignOptions {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Full path, `/apps/{id}/...`. */
  path: string;
  key: string;
  secret: string;
  /** Extra query parameters, signed with the rest. */
  params?: Record<string, string>;
  body?: string;
  /** Unix seconds; now by default. */
  timestamp?: number;
  /** Leave these auth parameters out of the query (they are not signed either). */
  omit?: string[];
  /** Replace parameters after signing, to forge a request. */
  tamper?: Record<string, string>;
  /** Sign this path instead of `path`. */
  signedPath?: string;
}

const encoder = new TextEncoder();

function hex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

export async function hmacHex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  return hex(await crypto.subtle.sign("HMAC", key, encoder.encode(message)));
}

export async function md5(text: string): Promise<string> {
  return hex(await crypto.subtle.digest("MD5", encoder.encode(text)));
}

/** Returns `path?query` with `auth_signature` appended. */
export async function signedPath(options: SignOptions): Promise<string> {
  const params: Record<string, string> = {
    auth_key: options.key,
    auth_timestamp: String(options.timestamp ?? Math.floor(Date.now() / 1000)),
    auth_version: "1.0",
  };
  if (options.body !== undefined && options.body !== "") params.body_md5 = await md5(options.body);
  Object.assign(params, options.params);
  for (const name of options.omit ?? []) delete params[name];
  const query = Object.keys(params)
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join("&");
  const signature = await hmacHex(options.secret, `${options.method}\n${options.signedPath ?? options.path}\n${query}`);
  const all: Record<string, string> = { ...params, auth_signature: signature, ...options.tamper };
  if (options.omit?.includes("auth_signature")) delete all.auth_signature;
  const url = Object.entries(all)
    .map(([key, value]) => `${key}=${value}`)
    .join("&");
  return `${options.path}?${url}`;
}
