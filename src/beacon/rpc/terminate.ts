import { CLOSE_CODES } from "../../protocol/errors";
import * as frames from "../../protocol/server-frames";
import { removeConnection } from "../membership";
import type { Room } from "../room";

const MESSAGE = "Connection terminated by the app";

/**
 * `POST /users/{id}/terminate_connections`: every socket signed in as the
 * user gets `pusher:error` 4009 and a 4009 close (pusher-js then does not
 * reconnect), and leaves its channels and presence rosters at once, so the
 * user is gone for the next publish or query even though webSocketClose
 * arrives later. Sockets are matched by their `pusher:signin` user, as
 * Pusher does, not by presence channel_data.
 * A scan of the app's sockets: terminating is rare, so it does not earn an index.
 */
export function terminateUserConnections(room: Room, userId: string): number {
  const sockets = [...room.connections.values()].filter((connection) => connection.userId === userId);
  for (const connection of sockets) {
    connection.send(frames.errorFrame({ code: CLOSE_CODES.unauthorized, message: MESSAGE }));
    connection.close(CLOSE_CODES.unauthorized, MESSAGE);
    removeConnection(room, connection);
  }
  return sockets.length;
}
