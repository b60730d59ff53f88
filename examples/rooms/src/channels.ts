/**
 * Every channel a room uses, and the reverse: which room and what a channel
 * name is about. Names are joined with "." because room, poll and counter
 * names may not contain one, so a channel name always parses one way.
 */

const NAME = /^[A-Za-z0-9_-]{1,40}$/;

/** Room, poll and counter names: short, and only characters Pusher channel names allow. */
export function isName(value: unknown): value is string {
  return typeof value === "string" && NAME.test(value);
}

/** Every room's members channel starts with this, so the admin broadcast can list the rooms in use. */
export const MEMBERS_PREFIX = "presence-room.";
/** Every room's cached channels start with this: the prefix the `cache_miss` webhook is filtered on. */
export const CACHED_PREFIX = "private-cache-room.";
const ADMIN_PREFIX = "private-room.";

export const channelOf = {
  /** Presence: who is here (public profiles), chat, profile changes, announcements, and `client-vote`. */
  members: (room: string) => `${MEMBERS_PREFIX}${room}`,
  /** Private, admins only: what members relay to the room's admin. */
  admin: (room: string) => `${ADMIN_PREFIX}${room}.admin`,
  config: (room: string) => `${CACHED_PREFIX}${room}.config`,
  polls: (room: string) => `${CACHED_PREFIX}${room}.polls`,
  poll: (room: string, poll: string) => `${CACHED_PREFIX}${room}.poll.${poll}`,
  counter: (room: string, counter: string) => `${CACHED_PREFIX}${room}.counter.${counter}`,
};

export type RoomChannel =
  | { room: string; kind: "members" | "admin" | "config" | "polls" }
  | { room: string; kind: "poll"; poll: string }
  | { room: string; kind: "counter"; counter: string };

/** What a channel is about, or undefined for a channel that is not one of a room's. */
export function parseChannel(channel: string): RoomChannel | undefined {
  const [prefix, rest] = splitPrefix(channel);
  const [room, kind, item, ...extra] = rest.split(".");
  if (!isName(room) || extra.length > 0) return undefined;
  if (prefix === MEMBERS_PREFIX && kind === undefined) return { room, kind: "members" };
  if (prefix === ADMIN_PREFIX && kind === "admin" && item === undefined) return { room, kind };
  if (prefix !== CACHED_PREFIX) return undefined;
  if ((kind === "config" || kind === "polls") && item === undefined) return { room, kind };
  if (kind === "poll" && isName(item)) return { room, kind, poll: item };
  if (kind === "counter" && isName(item)) return { room, kind, counter: item };
  return undefined;
}

function splitPrefix(channel: string): [string, string] {
  for (const prefix of [MEMBERS_PREFIX, ADMIN_PREFIX, CACHED_PREFIX]) {
    if (channel.startsWith(prefix)) return [prefix, channel.slice(prefix.length)];
  }
  return ["", channel];
}
