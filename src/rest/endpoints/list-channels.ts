import { jsonObject } from "../../lib/json";
import { err, ok } from "../../lib/result";
import { restError, USER_COUNT_PREFIX } from "../../protocol/rest";
import type { RestCall, RestReply } from "../call";
import { NO_INFO, parseInfoAttributes } from "../info-attributes";

/**
 * `GET /apps/{id}/channels?filter_by_prefix=&info=`: occupied channels.
 * `user_count` exists only for presence channels, so asking for it needs a
 * `presence-` prefix filter (api "GET channels").
 */
export async function listChannels(call: RestCall): Promise<RestReply> {
  const prefix = call.query.get("filter_by_prefix") ?? "";
  const info = parseInfoAttributes(call.query.get("info"));
  if (!info.ok) return info;
  if (info.value?.userCount && !prefix.startsWith(USER_COUNT_PREFIX)) {
    return err(
      restError(
        400,
        `info=user_count needs filter_by_prefix=${USER_COUNT_PREFIX} (user_count exists only for presence channels)`,
      ),
    );
  }
  const channels = await call.beacon().channelsInfo(call.app.id, { prefix, info: info.value ?? NO_INFO });
  return channels.ok ? ok({ channels: jsonObject(channels.value) }) : channels;
}
