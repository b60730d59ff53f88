import { err, ok } from "../../lib/result";
import { LIMITS } from "../../protocol/constants";
import { restError } from "../../protocol/rest";
import type { RestCall, RestReply } from "../call";

/**
 * `POST /apps/{id}/users/{user_id}/terminate_connections`: `{}` whether or
 * not the user had sockets, as Pusher answers.
 */
export async function terminateConnections(call: RestCall): Promise<RestReply> {
  const [userId = ""] = call.params;
  if (userId.length === 0 || userId.length > LIMITS.userIdLength) {
    return err(restError(400, `A user id must be 1 to ${LIMITS.userIdLength} characters long`));
  }
  const audit = call.audit && { ...call.audit, details: { ...call.audit.details, user_id: userId } };
  const terminated = await call.beacon().terminateUserConnections(call.app.id, userId, audit);
  return terminated.ok ? ok({}) : terminated;
}
