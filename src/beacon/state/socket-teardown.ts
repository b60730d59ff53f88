import { isRecord } from "../../lib/json";

/** `WebSocket.readyState` once either side has started to close. */
const CLOSING = 2;
const CLOSED = 3;

/**
 * Close codes no peer sends (RFC 6455 §7.4.1). The runtime reports 1006 for
 * a connection that dropped without a close frame and 1015 for a failed TLS
 * handshake: nobody is left to answer, and a close sent anyway fails later
 * inside the runtime, beyond any try/catch. It reports 1005 for a close
 * frame that carried no code, which pusher-js sends on disconnect: that
 * client waits for a close frame back, so it gets one without a code too
 * (1005 is only ever a report, never a code to send).
 */
const PEER_GONE = new Set([1006, 1015]);
const NO_STATUS = 1005;
export const NO_CODE = "no code";

/** How to answer a peer's close: with its code, with a close frame that has no code, or (undefined) not at all. */
export function closeAnswerFor(code: number): number | typeof NO_CODE | undefined {
  if (PEER_GONE.has(code)) return undefined;
  return code === NO_STATUS ? NO_CODE : code;
}

/** How the runtime words a socket that went away under a send or a close. */
const GONE = /network connection lost|websocket peer disconnected|after close\(\)/i;

/**
 * Whether an error is only the socket going away: it came from a socket
 * that is closing or closed, and the runtime marked it retryable or worded
 * it as a lost peer or a call after close. Those are expected whenever a
 * client leaves abruptly, so they are logged at debug; any other error on a
 * socket, and any error on an open one, is a real failure.
 */
export function isTeardownError(readyState: number | undefined, error: unknown): boolean {
  if (readyState !== CLOSING && readyState !== CLOSED) return false;
  if (!isRecord(error)) return false;
  if (error.retryable === true) return true;
  return typeof error.message === "string" && GONE.test(error.message);
}
