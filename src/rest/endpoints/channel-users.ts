import { err, ok } from "../../lib/result";
import { clip } from "../../lib/text";
import { restError } from "../../protocol/rest";
import type { RestCall, RestReply } from "../call";
import { pathChannel } from "../channel-name";

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
