import { parseChannel } from "./channels";
import { type RoomsEnv, roomStub } from "./env";
import { bearer, json, problem } from "./http";
import { pusherFor } from "./sower";

/**
 * pusher-js's channel authorization endpoint. The member's token comes in a
 * header (`channelAuthorization.headers` on the page); the room decides, and
 * for the members channel gives the presence data: the member's id and
 * public properties only, which is all Sower ever holds about them.
 */
export async function authorizeChannel(request: Request, env: RoomsEnv): Promise<Response> {
  const form = new URLSearchParams(await request.text());
  const socketId = form.get("socket_id");
  const channelName = form.get("channel_name");
  if (socketId === null || channelName === null) return problem(400, "socket_id and channel_name are required");
  const channel = parseChannel(channelName);
  if (channel === undefined) return problem(403, `${channelName} is not a room channel`);
  const token = bearer(request);
  if (token === undefined) return problem(401, "join the room first");
  const grant = await roomStub(env, channel.room).authorize(token, channel);
  if (!grant.ok) return problem(grant.status, grant.error);
  const pusher = pusherFor(env);
  return json(
    grant.value === null
      ? pusher.authorizeChannel(socketId, channelName)
      : pusher.authorizeChannel(socketId, channelName, grant.value),
  );
}
