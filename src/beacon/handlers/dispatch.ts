import type { ClientFrame } from "../../protocol/client-frames";
import * as frames from "../../protocol/server-frames";
import { removeSubscription } from "../changes/subscriptions";
import type { Connection, Handled } from "../state/connection";
import { type ClientEventState, handleClientEvent } from "./client-event";
import { handleSignin, type SigninState } from "./signin";
import { handleSubscribe, type SubscribeState } from "./subscribe";

/** Everything a socket's frames may read or change. */
export type FrameState = SubscribeState & SigninState & ClientEventState;

/**
 * Hands each parsed frame to its handler; the switch is exhaustive by type.
 * Only handlers that must wait return a promise (see Connection.inOrder).
 */
export function dispatch(state: FrameState, connection: Connection, frame: ClientFrame): Handled {
  switch (frame.kind) {
    case "ping":
      // pusher-js's own ping never gets here (the runtime answers it); other clients' spellings do.
      connection.send(frames.pong());
      return;
    case "pong":
      return;
    case "subscribe":
      return handleSubscribe(state, connection, frame);
    case "unsubscribe":
      return removeSubscription(state, connection, frame.channel);
    case "signin":
      return handleSignin(state, connection, frame);
    case "client-event":
      return handleClientEvent(state, connection, frame, Date.now());
    default: {
      const unreachable: never = frame;
      return unreachable;
    }
  }
}
