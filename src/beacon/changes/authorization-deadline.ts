import type { App } from "../../config/app";
import { classifyChannel, requiresAuth } from "../../protocol/channels";
import { CLOSE_CODES } from "../../protocol/errors";
import * as frames from "../../protocol/server-frames";
import type { Connection } from "../state/connection";
import type { Connections } from "../state/connections";
import type { DueWork } from "../state/due-work";

const NOT_AUTHORIZED_IN_TIME = "Connection not authorized within timeout";

/** The app's option, and the due-work row that holds each socket's deadline. */
export interface DeadlineState {
  readonly app: App;
  readonly dueWork: DueWork;
}

/**
 * Authorised connections (`app.enableUserAuthentication`): a socket must
 * sign in or hold an authorised (private, encrypted or presence)
 * subscription within `userAuthenticationTimeoutMs`. The deadline is a row
 * in the due-work table, removed when the socket is authorised, so only
 * sockets that never were are visited by the alarm.
 */
export function startAuthorizationDeadline(state: DeadlineState, connection: Connection, connectedAt: number): void {
  if (!state.app.enableUserAuthentication) return;
  state.dueWork.schedule("authorization-deadline", connection.id, connectedAt + state.app.userAuthenticationTimeoutMs);
}

export function markAuthorized(state: DeadlineState, connection: Connection): void {
  if (state.app.enableUserAuthentication) state.dueWork.cancel("authorization-deadline", connection.id);
}

/** Alarm runner: closes the sockets whose deadline passed unauthorised. */
export function enforceAuthorizationDeadlines(connections: Connections, socketIds: readonly string[]): void {
  for (const socketId of socketIds) {
    const connection = connections.get(socketId);
    if (connection === undefined || isAuthorized(connection)) continue;
    connection.send(frames.errorFrame({ code: CLOSE_CODES.unauthorized, message: NOT_AUTHORIZED_IN_TIME }));
    connection.close(CLOSE_CODES.unauthorized, NOT_AUTHORIZED_IN_TIME);
  }
}

/** A second check at the deadline, in case a cancellation was missed. */
function isAuthorized(connection: Connection): boolean {
  if (connection.userId !== undefined) return true;
  for (const channel of connection.channels.keys()) {
    if (requiresAuth(classifyChannel(channel).kind)) return true;
  }
  return false;
}
