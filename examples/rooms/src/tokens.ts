/** A member's bearer token: random, shown to its owner once, and stored only as a hash. */
export function newToken(): string {
  return toHex(crypto.getRandomValues(new Uint8Array(32)));
}

export async function hashToken(token: string): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token))));
}

/** Compares secrets without leaking, through timing, how much of a guess was right. */
export async function sameSecret(given: string, expected: string): Promise<boolean> {
  if (expected === "") return false;
  const [a, b] = await Promise.all([hashToken(given), hashToken(expected)]);
  let difference = 0;
  for (let index = 0; index < a.length; index++) difference |= a.charCodeAt(index) ^ b.charCodeAt(index);
  return difference === 0;
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
