import { LIMITS } from "./constants";

export type ChannelKind = "public" | "private" | "encrypted" | "presence" | "server-to-user";

export interface ChannelInfo {
  readonly name: string;
  readonly kind: ChannelKind;
  /** Cache channels keep their last server event (cache-, private-cache-, ...). */
  readonly cached: boolean;
  /** The user a `#server-to-user-{id}` channel belongs to. */
  readonly userId?: string;
}

export const SERVER_TO_USER_PREFIX = "#server-to-user-";
const VALID_NAME = /^[A-Za-z0-9_\-=@,.;]+$/;

/**
 * Prefix order matters: `private-encrypted-` must be tested before `private-`,
 * a trap other servers fell into (docs/protocol.md §5.2).
 */
const PREFIXES: ReadonlyArray<readonly [string, ChannelKind, boolean]> = [
  ["private-encrypted-cache-", "encrypted", true],
  ["private-encrypted-", "encrypted", false],
  ["private-cache-", "private", true],
  ["private-", "private", false],
  ["presence-cache-", "presence", true],
  ["presence-", "presence", false],
  ["cache-", "public", true],
];

/** Classifies a channel name, or says why it is not a valid one. */
export function parseChannelName(
  name: string,
  maxLength: number = LIMITS.channelNameLength,
): { ok: true; value: ChannelInfo } | { ok: false; error: string } {
  if (name.length === 0) return { ok: false, error: "Channel name must not be empty" };
  if (name.length > maxLength) {
    return { ok: false, error: `Channel name is longer than ${maxLength} characters` };
  }
  if (name.startsWith(SERVER_TO_USER_PREFIX)) {
    const userId = name.slice(SERVER_TO_USER_PREFIX.length);
    if (userId.length === 0 || userId.length > LIMITS.userIdLength) {
      return { ok: false, error: "Invalid server-to-user channel name" };
    }
    return { ok: true, value: classifyChannel(name) };
  }
  if (!VALID_NAME.test(name)) {
    return {
      ok: false,
      error: "Channel names may only contain letters, digits and _ - = @ , . ;",
    };
  }
  return { ok: true, value: classifyChannel(name) };
}

/**
 * The kind of a name already validated where it came in (a subscribe, a REST
 * call): by its prefix alone, without checking it again.
 */
export function classifyChannel(name: string): ChannelInfo {
  if (name.startsWith(SERVER_TO_USER_PREFIX)) {
    return { name, kind: "server-to-user", cached: false, userId: name.slice(SERVER_TO_USER_PREFIX.length) };
  }
  for (const [prefix, kind, cached] of PREFIXES) {
    if (name.startsWith(prefix)) return { name, kind, cached };
  }
  return { name, kind: "public", cached: false };
}

/** Channels whose subscription needs a signature from the app's auth endpoint. */
export function requiresAuth(kind: ChannelKind): boolean {
  return kind === "private" || kind === "encrypted" || kind === "presence";
}
