import type Pusher from "pusher";
import { MEMBERS_PREFIX } from "./channels";
import type { PublicMember } from "./room";

// Pusher's (and Sower's) limit of channels in one trigger.
const CHANNELS_PER_TRIGGER = 100;

/**
 * Sends `announcement` to every room that has anyone in it. Sower knows which
 * rooms those are (its occupied channels), so the backend keeps no list.
 * Returns how many rooms it reached.
 */
export async function broadcast(pusher: Pusher, from: PublicMember, text: string): Promise<number> {
  const response = await pusher.get({ path: "/channels", params: { filter_by_prefix: MEMBERS_PREFIX } });
  const rooms = channelNames(await response.json());
  for (let start = 0; start < rooms.length; start += CHANNELS_PER_TRIGGER) {
    await pusher.trigger(rooms.slice(start, start + CHANNELS_PER_TRIGGER), "announcement", { from, text });
  }
  return rooms.length;
}

/** The names in a `GET /channels` answer: `{"channels": {"name": {...}, ...}}`. */
function channelNames(body: unknown): string[] {
  if (typeof body !== "object" || body === null || !("channels" in body)) return [];
  const { channels } = body;
  return typeof channels === "object" && channels !== null ? Object.keys(channels) : [];
}
