import { utf8Length } from "../../lib/text";
import { log } from "../../log";
import { parseClientFrame } from "../../protocol/client-frames";
import { CLIENT_EVENT_REJECTED } from "../../protocol/errors";
import * as frames from "../../protocol/server-frames";
import type { FrameLimits } from "../../protocol/socket-limits";
import { removeConnection, type SocketState } from "../changes/subscriptions";
import type { Connection, Handled } from "../state/connection";
import { dispatch, type FrameState } from "./dispatch";

/** A frame is counted against the socket's allowance, parsed with the app's limits, then dispatched. */
export interface ReceiveState extends FrameState, SocketState {
  /** From the app's limits, worked out once per wake (protocol/socket-limits.ts). */
  readonly frameLimits: FrameLimits;
  readonly frameCeiling: number;
}

/** Where the bytes of every frame handled are counted (the app's statistics). */
export interface ReceiveMeter {
  received(bytes: number): void;
}

/**
 * Every frame of a tracked socket comes here. Each is counted before it is
 * parsed, so a flood of garbage costs the Beacon no more than a flood of
 * client events; the frame past the ceiling closes the socket, and frames
 * the runtime had already queued from it are dropped without a reply.
 */
export function receiveFrame(
  state: ReceiveState,
  connection: Connection,
  message: string | ArrayBuffer,
  meter: ReceiveMeter,
): Handled {
  const now = Date.now();
  const verdict = connection.countFrame(state.frameCeiling, now);
  if (verdict === "closed") return;
  if (verdict === "over") return closeFlooder(state, connection);
  meter.received(typeof message === "string" ? utf8Length(message) : message.byteLength);
  const frame = parseClientFrame(message, state.frameLimits);
  if (!frame.ok) {
    connection.refuse(frame.error, now);
    if (state.console.open) {
      state.console.emit({ kind: "refused", at: now, socket: connection.id, message: frame.error.message });
    }
    return;
  }
  return connection.inOrder(() => dispatch(state, connection, frame.value));
}

/**
 * A socket past its frame ceiling is told why (`pusher:error` 4301) and
 * closed with 4301, on which pusher-js does not reconnect: a client stuck in
 * a loop would otherwise come straight back (docs/protocol.md §8.5). It
 * leaves its channels now, behind any frame of its own still in flight, so
 * the rest of the app stops hearing from it before its close arrives.
 */
function closeFlooder(state: ReceiveState, connection: Connection): Handled {
  const message = `Closed: more than ${state.frameCeiling} messages in one second`;
  log("warn", "socket closed for flooding", { app: state.app.id, socket: connection.id, limit: state.frameCeiling });
  connection.send(frames.errorFrame({ code: CLIENT_EVENT_REJECTED, message }));
  connection.close(CLIENT_EVENT_REJECTED, message);
  if (state.console.open) state.console.emit({ kind: "refused", at: Date.now(), socket: connection.id, message });
  return connection.inOrder(() => removeConnection(state, connection));
}
