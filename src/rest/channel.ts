import { err, ok, type Result } from "../lib/result";
import { clip } from "../lib/text";
import { type ChannelInfo, parseChannelName } from "../protocol/channels";
import { type RestError, restError } from "../protocol/rest";
import { NO_INFO, parseInfo, userCountRefusal } from "./info";
import type { RestCall, RestReply } from "./respond";

/** `GET /apps/{id}/channels/{channel}?info=`: `{"occupied": bool, ...counts}`. */
export async function getChannel(call: RestCall): Promise<RestReply> {
  const channel = pathChannel(call);
  if (!channel.ok) return channel;
  const info = parseInfo(call.query.get("info"), { allowCache: true });
  if (!info.ok) return info;
  if (info.value?.userCount && channel.value.kind !== "presence") return err(userCountRefusal(channel.value.name));
  if (info.value?.cache && !channel.value.cached) {
    return err(
      restError(400, `cache is only available for cache channels, and '${clip(channel.value.name)}' is not one`),
    );
  }
  return call.beacon().channelInfo(call.app.id, channel.value.name, info.value ?? NO_INFO);
}

/** `GET /apps/{id}/channels/{presence-channel}/users`: `{"users": [{"id": "1"}]}`. */
export async function getChannelUsers(call: RestCall): Promise<RestReply> {
  const channel = pathChannel(call);
  if (!channel.ok) return channel;
  if (channel.value.kind !== "presence") {
    return err(
      restError(400, `Users can only be listed for presence channels, and '${clip(channel.value.name)}' is not one`),
    );
  }
  const users = await call.beacon().channelUsers(call.app.id, channel.value.name);
  return users.ok ? ok({ users: users.value }) : users;
}

/** The channel named in the path. */
function pathChannel(call: RestCall): Result<ChannelInfo, RestError> {
  const [name = ""] = call.params;
  return parseRestChannel(name, call.app.limits.maxChannelNameLength);
}

/** A channel named in a REST call, validated as the socket side validates it; a 400 otherwise. */
export function parseRestChannel(name: string, maxLength: number): Result<ChannelInfo, RestError> {
  const parsed = parseChannelName(name, maxLength);
  return parsed.ok ? parsed : err(restError(400, `Invalid channel '${clip(name)}': ${parsed.error}`));
}
