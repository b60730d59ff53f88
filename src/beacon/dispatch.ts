import type { ClientFrame } from "../protocol/client-frames";
import * as frames from "../protocol/server-frames";
import type { Connection, Handled } from "./connection";
import { handleClientEvent } from "./handlers/client-event";
import { handleSignin } from "./handlers/signin";
import { handleSubscribe } from "./handlers/subscribe";
import { handleUnsubscribe } from "./handlers/unsubscribe";
import type { Room } from "./room";

/**
 * Hands each parsed frame to its handler; the switch is exhaustive by type.
 * Only handlers that must wait return a promise (see Connection.inOrder).
 */
export function dispatch(room: Room, connection: Connection, frame: ClientFrame): Handled {
  switch (frame.kind) {
    case "ping":
      // pusher-js's own ping never gets here (the runtime answers it); other clients' spellings do.
      connection.send(frames.pong());
      return;
    case "pong":
      return;
    case "subscribe":
      return handleSubscribe(room, connection, frame);
    case "unsubscribe":
      return handleUnsubscribe(room, connection, frame.channel);
    case "signin":
      return handleSignin(room, connection, frame);
    case "client-event":
      return handleClientEvent(room, connection, frame, Date.now());
    default: {
      const unreachable: never = frame;
      return unreachable;
    }
  }
}
