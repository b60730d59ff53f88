import { userStringToSign, verifyToken } from "../../auth/signatures";
import { log } from "../../log";
import { LIMITS } from "../../protocol/constants";
import { CLOSE_CODES, err, ok, type Result } from "../../protocol/errors";
import { isRecord } from "../../protocol/json";
import * as frames from "../../protocol/server-frames";
import type { Connection } from "../connection";
import type { Room } from "../room";

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
  connection.signIn(user.value);
  connection.send(frames.signinSuccess(request.userData));
}

async function verifySignin(
  room: Room,
  connection: Connection,
  request: SigninRequest,
): Promise<Result<string, string>> {
  if (!(await verifyToken(room.app, request.auth, userStringToSign(connection.id, request.userData)))) {
    return err("Invalid signature for pusher:signin");
  }
  let data: unknown;
  try {
    data = JSON.parse(request.userData);
  } catch {
    return err("user_data is not valid JSON");
  }
  if (!isRecord(data) || typeof data.id !== "string" || data.id.length === 0) {
    return err("user_data.id must be a non-empty string");
  }
  if (data.id.length > LIMITS.userIdLength) return err(`user_data.id is longer than ${LIMITS.userIdLength} characters`);
  return ok(data.id);
}
