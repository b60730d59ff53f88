const encoder = new TextEncoder();
/** Importing a key costs more than the HMAC itself; keep one per secret. */
const hmacKeys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = hmacKeys.get(secret);
  if (key === undefined) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    hmacKeys.set(secret, key);
  }
  return key;
}

export function toHex(bytes: ArrayBuffer): string {
  let hex = "";
  for (const byte of new Uint8Array(bytes)) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

export async function hmacSha256Hex(secret: string, message: string | Uint8Array): Promise<string> {
  const data = typeof message === "string" ? encoder.encode(message) : message;
  return toHex(await crypto.subtle.sign("HMAC", await hmacKey(secret), data));
}

/** The audit log's digests: of each event's data, and of each entry (src/audit/chain.ts). */
export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", typeof data === "string" ? encoder.encode(data) : data));
}

/** MD5 is what Pusher's `body_md5` uses; workerd's Web Crypto provides it. */
export async function md5Hex(body: Uint8Array | string): Promise<string> {
  const data = typeof body === "string" ? encoder.encode(body) : body;
  return toHex(await crypto.subtle.digest("MD5", data));
}

/**
 * Compares two strings in time that depends only on their lengths, so a
 * forger learns nothing from how fast a wrong signature is refused.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  let diff = left.length ^ right.length;
  const length = Math.max(left.length, right.length);
  for (let i = 0; i < length; i++) diff |= (left[i] ?? 0) ^ (right[i] ?? 0);
  return diff === 0;
}
