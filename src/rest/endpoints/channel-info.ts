import { err } from "../../lib/result";
import { clip } from "../../lib/text";
import { restError } from "../../protocol/rest";
import type { RestCall, RestReply } from "../call";
import { pathChannel } from "../channel-name";
import { NO_INFO, parseInfoAttributes, userCountRefusal } from "../info-attributes";

/** `GET /apps/{id}/channels/{channel}?info=`: `{"occupied": bool, ...counts}`. */
export async function getChannelInfo(call: RestCall): Promise<RestReply> {
  const channel = pathChannel(call);
  if (!channel.ok) return channel;
  const info = parseInfoAttributes(call.query.get("info"), { allowCache: true });
  if (!info.ok) return info;
  if (info.value?.userCount && channel.value.kind !== "presence") return err(userCountRefusal(channel.value.name));
  if (info.value?.cache && !channel.value.cached) {
    return err(
      restError(400, `cache is only available for cache channels, and '${clip(channel.value.name)}' is not one`),
    );
  }
  return call.beacon().channelInfo(call.app.id, channel.value.name, info.value ?? NO_INFO);
}
