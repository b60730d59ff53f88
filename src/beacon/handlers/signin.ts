import { userStringToSign, verifyToken } from "../../auth/signatures";
import { err, type Result } from "../../lib/result";
import { log } from "../../log";
import { SERVER_TO_USER_PREFIX } from "../../protocol/channels";
import { CLOSE_CODES } from "../../protocol/errors";
import * as frames from "../../protocol/server-frames";
import { parseUserData, type UserData } from "../../protocol/user-data";
import { markAuthorized } from "../authorization-deadline";
import type { Connection } from "../connection";
import { removeSubscription } from "../membership";
import type { Room } from "../room";
import { signIn } from "../users";

export interface SigninRequest {
  auth: string;
  userData: string;
}

/**
 * `pusher:signin`: the auth signs `socket_id::user::user_data`. A failed
 * sign-in closes the socket with 4009, as Pusher does, so a client cannot
 * keep guessing on one connection.
 */
export async function handleSignin(room: Room, connection: Connection, request: SigninRequest): Promise<void> {
  const user = await verifySignin(room, connection, request);
  if (!user.ok) {
    log("warn", "signin failed", { app: room.app.id, socket: connection.id, reason: user.error });
    connection.send(frames.errorFrame({ code: CLOSE_CODES.unauthorized, message: user.error }));
    connection.close(CLOSE_CODES.unauthorized, user.error);
    return;
  }
  // A socket that signs in as someone else stops receiving the earlier user's events.
  const previous = connection.userId;
  if (previous !== undefined && previous !== user.value.id) {
    removeSubscription(room, connection, `${SERVER_TO_USER_PREFIX}${previous}`);
  }
  connection.send(frames.signinSuccess(request.userData));
  signIn(room, connection, request.userData, user.value);
  markAuthorized(room, connection);
}

async function verifySignin(
  room: Room,
  connection: Connection,
  request: SigninRequest,
): Promise<Result<UserData, string>> {
  if (!(await verifyToken(room.app, request.auth, userStringToSign(connection.id, request.userData)))) {
    return err("Invalid signature for pusher:signin");
  }
  return parseUserData(request.userData);
}
