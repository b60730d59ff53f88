import { isRecord, tryParseJson } from "../lib/json";
import { err, ok, type Result } from "../lib/result";
import { LIMITS } from "./constants";

/**
 * The signed `user_data` of `pusher:signin` (docs/protocol.md §9.1): `id` is
 * required and must be a non-empty string (pusher-js drops a sign-in whose id
 * is not one), `user_info` is what presence channels show, `watchlist` the
 * user ids whose online state this user is told about.
 */
export interface UserData {
  readonly id: string;
  /** undefined when the backend sent none. */
  readonly info: unknown;
  readonly watchlist: readonly string[];
}

export function parseUserData(userData: string): Result<UserData, string> {
  const data = tryParseJson(userData);
  if (data === undefined) return err("user_data is not valid JSON");
  if (!isRecord(data)) return err("user_data must be a JSON object");
  if (typeof data.id !== "string" || data.id.length === 0) return err("user_data.id must be a non-empty string");
  if (data.id.length > LIMITS.userIdLength) return err(`user_data.id is longer than ${LIMITS.userIdLength} characters`);
  const watchlist = parseWatchlist(data.watchlist);
  if (!watchlist.ok) return watchlist;
  return ok({ id: data.id, info: data.user_info, watchlist: watchlist.value });
}

function parseWatchlist(value: unknown): Result<string[], string> {
  if (value === undefined || value === null) return ok([]);
  if (!Array.isArray(value)) return err("user_data.watchlist must be an array of user ids");
  if (value.length > LIMITS.watchlistSize) {
    return err(`user_data.watchlist has more than ${LIMITS.watchlistSize} user ids`);
  }
  const ids: string[] = [];
  for (const id of value) {
    if (typeof id !== "string" || id.length === 0 || id.length > LIMITS.userIdLength) {
      return err("user_data.watchlist entries must be user id strings");
    }
    ids.push(id);
  }
  return ok([...new Set(ids)]);
}
