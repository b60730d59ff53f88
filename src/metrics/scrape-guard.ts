import { FixedWindow } from "../lib/fixed-window";

/** Wrong tokens one client address may send per minute; then it is refused without a check until the minute ends. */
export const FAILED_ATTEMPTS = { limit: 10, windowMs: 60_000 } as const;

/** Scrapes with the right token per ten seconds: one a second on average, room for a few scrapers at once. */
export const SCRAPES = { limit: 10, windowMs: 10_000 } as const;

/** Addresses followed at once; past it, new ones share one window, so a flood of addresses cannot grow memory. */
const MAX_ADDRESSES = 1000;
const OVERFLOW = "(others)";

export interface ScrapeRefusal {
  readonly retryAfterSeconds: number;
  /** The first refusal of its window, the one that is logged. */
  readonly firstInWindow: boolean;
}

/**
 * The limits of `GET /metrics`, kept per Worker isolate (docs/protocol.md
 * §12.13 says why that is enough). Failed tokens are counted per client
 * address; an address past its limit is refused before its token is
 * compared, so guessing stops paying off until its window ends.
 */
export class ScrapeGuard {
  private readonly failures = new Map<string, FixedWindow>();
  private readonly scrapes = new FixedWindow(SCRAPES.windowMs);

  /** Before the token is compared: a refusal while `address` has used up its failed attempts. */
  lockedOut(address: string, now: number): ScrapeRefusal | undefined {
    const window = this.failures.get(address) ?? this.overflowFor();
    if (window === undefined || !window.full(1, FAILED_ATTEMPTS.limit, now)) return undefined;
    return refusal(window.take(1, FAILED_ATTEMPTS.limit, now));
  }

  /** A wrong token from `address`; true for the first of its window, the one that is logged. */
  failed(address: string, now: number): boolean {
    return this.failuresOf(address, now).take(1, FAILED_ATTEMPTS.limit, now).opened;
  }

  /** A right token: a refusal when this isolate has served its share of scrapes for now. */
  scrape(now: number): ScrapeRefusal | undefined {
    const taken = this.scrapes.take(1, SCRAPES.limit, now);
    return taken.allowed ? undefined : refusal(taken);
  }

  /** Where an address that is not followed by itself counts, once the map is full. */
  private overflowFor(): FixedWindow | undefined {
    return this.failures.size >= MAX_ADDRESSES ? this.failures.get(OVERFLOW) : undefined;
  }

  private failuresOf(address: string, now: number): FixedWindow {
    const known = this.failures.get(address);
    if (known !== undefined) return known;
    if (this.failures.size >= MAX_ADDRESSES) {
      for (const [key, window] of this.failures) if (window.expired(now)) this.failures.delete(key);
    }
    const key = this.failures.size < MAX_ADDRESSES ? address : OVERFLOW;
    const window = this.failures.get(key) ?? new FixedWindow(FAILED_ATTEMPTS.windowMs);
    this.failures.set(key, window);
    return window;
  }
}

function refusal(taken: { retryAfterMs: number; firstRefusal: boolean }): ScrapeRefusal {
  return { retryAfterSeconds: Math.max(1, Math.ceil(taken.retryAfterMs / 1000)), firstInWindow: taken.firstRefusal };
}

/**
 * Who is asking, as Cloudflare reports it (`CF-Connecting-IP`, which a
 * client cannot set). An IPv6 client holds a whole /64, so its address
 * counts by that prefix; otherwise each of its addresses would get its own
 * attempts.
 */
export function clientAddress(request: Request): string {
  const ip = request.headers.get("CF-Connecting-IP")?.trim() ?? "";
  if (ip === "") return "unknown";
  if (!ip.includes(":")) return ip;
  const [head = "", tail] = ip.toLowerCase().split("::");
  const groups = head === "" ? [] : head.split(":");
  if (tail !== undefined) {
    const after = tail === "" ? [] : tail.split(":");
    groups.push(...Array<string>(Math.max(0, 8 - groups.length - after.length)).fill("0"), ...after);
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
