/**
 * `allowed_origins` entries: `*` (any origin), an exact origin such as
 * `https://example.com` or `http://localhost:5173`, or a subdomain wildcard
 * such as `https://*.example.com` (any subdomain, not the bare domain).
 * Browsers always send `Origin` on a WebSocket upgrade; native apps and
 * server-side clients send none, and those are let through: the check stops
 * other websites from using an app's key in their visitors' browsers, which is
 * all an origin check can do (a non-browser client can send any header).
 */
const ORIGIN = /^([a-z][a-z0-9+.-]*):\/\/(\*\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)*)(:\d{1,5})?$/;

interface OriginParts {
  readonly scheme: string;
  readonly wildcard: boolean;
  readonly host: string;
  readonly port: string;
}

function parts(text: string): OriginParts | undefined {
  const match = ORIGIN.exec(text.toLowerCase());
  if (match === null) return undefined;
  return { scheme: match[1] ?? "", wildcard: match[2] !== undefined, host: match[3] ?? "", port: match[4] ?? "" };
}

/** The entry in canonical (lower-case) form, or undefined when it is not an origin pattern. */
export function normalizeOriginPattern(entry: string): string | undefined {
  if (entry === "*") return entry;
  return parts(entry) === undefined ? undefined : entry.toLowerCase();
}

/** Whether a request's `Origin` header passes the app's list; an empty list allows all. */
export function originAllowed(patterns: readonly string[], origin: string | null): boolean {
  if (patterns.length === 0 || origin === null) return true;
  const given = parts(origin);
  for (const pattern of patterns) {
    if (pattern === "*") return true;
    const allowed = parts(pattern);
    if (given === undefined || allowed === undefined || given.wildcard) continue;
    if (allowed.scheme !== given.scheme || allowed.port !== given.port) continue;
    if (allowed.wildcard ? given.host.endsWith(`.${allowed.host}`) : given.host === allowed.host) return true;
  }
  return false;
}
