import { log } from "../log";
import type { CloseCode } from "../protocol/errors";
import { errorFrame } from "../protocol/server-frames";

/**
 * Answers an upgrade with a socket that exists only to carry the Pusher
 * error and close code, which is how clients learn why (a plain HTTP error
 * reaches pusher-js as a generic failure and it retries forever).
 */
export function refuseSocket(code: CloseCode, message: string, context: Record<string, string>): Response {
  log("warn", "connection refused", { ...context, code, reason: message });
  const { 0: client, 1: server } = new WebSocketPair();
  server.accept();
  server.send(errorFrame({ code, message }));
  server.close(code, message);
  return new Response(null, { status: 101, webSocket: client });
}
