import { checkAppToken, retiredTokenMessage, userStringToSign } from "../../auth/signatures";
import type { App } from "../../config/app";
import { err, type Result } from "../../lib/result";
import { log } from "../../log";
import { SERVER_TO_USER_PREFIX } from "../../protocol/channels";
import { CLOSE_CODES } from "../../protocol/errors";
import * as frames from "../../protocol/server-frames";
import { parseUserData, type UserData } from "../../protocol/user-data";
import { type DeadlineState, markAuthorized } from "../changes/authorization-deadline";
import { removeSubscription, type SubscriptionState } from "../changes/subscriptions";
import { signIn, type UserState } from "../changes/users";
import type { Connection } from "../state/connection";
import { registerWithHubs } from "./hub-signin";

/** A sign-in changes who is signed in, may drop the earlier user's channel, and meets the deadline. */
export interface SigninState extends SubscriptionState, UserState, DeadlineState {}

export interface SigninRequest {
  auth: string;
  userData: string;
}

/**
 * `pusher:signin`: the auth signs `socket_id::user::user_data`. A failed
 * sign-in closes the socket with 4009, as Pusher does, so a client cannot
 * keep guessing on one connection.
 */
export async function handleSignin(state: SigninState, connection: Connection, request: SigninRequest): Promise<void> {
  const user = await verifySignin(state.app, connection, request);
  if (!user.ok) {
    log("warn", "signin failed", { app: state.app.id, socket: connection.id, reason: user.error });
    connection.send(frames.errorFrame({ code: CLOSE_CODES.unauthorized, message: user.error }));
    connection.close(CLOSE_CODES.unauthorized, user.error);
    if (state.console.open) {
      state.console.emit({ kind: "refused", at: Date.now(), socket: connection.id, message: `Sign-in: ${user.error}` });
    }
    return;
  }
  // A socket that signs in as someone else stops receiving the earlier user's events.
  const previous = connection.userId;
  if (previous !== undefined && previous !== user.value.id) {
    removeSubscription(state, connection, `${SERVER_TO_USER_PREFIX}${previous}`);
  }
  connection.send(frames.signinSuccess(request.userData));
  signIn(state, connection, request.userData, user.value);
  markAuthorized(state, connection);
  if (state.links !== undefined) await registerWithHubs(state, state.links, connection, user.value);
}

async function verifySignin(
  app: App,
  connection: Connection,
  request: SigninRequest,
): Promise<Result<UserData, string>> {
  const token = await checkAppToken(app, request.auth, userStringToSign(connection.id, request.userData));
  if (!token.ok) {
    return err(
      token.error.kind === "retired" ? retiredTokenMessage(token.error.key) : "Invalid signature for pusher:signin",
    );
  }
  return parseUserData(request.userData);
}
