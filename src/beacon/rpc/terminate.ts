import { CLOSE_CODES } from "../../protocol/errors";
import * as frames from "../../protocol/server-frames";
import { removeConnection, type SocketState } from "../changes/subscriptions";

const MESSAGE = "Connection terminated by the app";

/**
 * `POST /users/{id}/terminate_connections`: every socket signed in as the
 * user gets `pusher:error` 4009 and a 4009 close (pusher-js then does not
 * reconnect), and leaves its channels and presence rosters at once, so the
 * user is gone for the next publish or query even though webSocketClose
 * arrives later. Sockets are matched by their `pusher:signin` user, as
 * Pusher does, not by presence channel_data, found through the user index.
 */
export function terminateUserConnections(state: SocketState, userId: string): number {
  // Copied: removeConnection takes each socket out of the index being read.
  const sockets = [...state.users.socketsOf(userId)];
  for (const connection of sockets) {
    connection.send(frames.errorFrame({ code: CLOSE_CODES.unauthorized, message: MESSAGE }));
    connection.close(CLOSE_CODES.unauthorized, MESSAGE);
    removeConnection(state, connection);
  }
  return sockets.length;
}
