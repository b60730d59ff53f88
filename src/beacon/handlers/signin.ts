import { userStringToSign, verifyToken } from "../../auth/signatures";
import { CLOSE_CODES, err, type Result } from "../../protocol/errors";
import * as frames from "../../protocol/server-frames";
import { parseUserData, type UserData } from "../../protocol/user-data";
import { markAuthorized } from "../authorization-deadline";
import type { Connection } from "../connection";
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
    connection.send(frames.errorFrame({ code: CLOSE_CODES.unauthorized, message: user.error }));
    connection.close(CLOSE_CODES.unauthorized, user.error);
    return;
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
