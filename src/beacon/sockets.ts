import type { App } from "../config/app";
import { keyStanding } from "../config/app-keys";
import { refuseSocket } from "../contract/refusal";
import { type LogLevel, log } from "../log";
import { CLOSE_CODES, KEY_REFUSALS } from "../protocol/errors";
import * as frames from "../protocol/server-frames";
import { newSocketId } from "../protocol/socket-id";
import type { Awake } from "./awake";
import { startAuthorizationDeadline } from "./changes/authorization-deadline";
import { writeAttachment } from "./state/attachment";
import { Connection, type Handled } from "./state/connection";
import { closeAnswerFor, isTeardownError, NO_CODE } from "./state/socket-teardown";

/*
 * What beacon.ts does with a socket besides handing its frames on: refusing
 * it, answering its close, and reporting what went wrong with it.
 */

/**
 * The Worker refused retired and unknown keys already; an object whose
 * configuration is older or newer than the Worker's (during a deploy) checks
 * again, so it never keeps a socket that its own reconcile would close.
 */
export function refuseKey(app: App, key: string): Response | undefined {
  const standing = keyStanding(app, key);
  if (standing === "current") return undefined;
  const { code, message } = KEY_REFUSALS[standing];
  return refuseSocket(code, message, { app: app.id });
}

/** `max_connections` is counted here, where the sockets are. 4100 makes pusher-js back off and retry. */
export function refuseOverCapacity(awake: Awake): Response | undefined {
  const max = awake.app.limits.maxConnections;
  if (max === null || awake.connections.size < max) return undefined;
  return refuseSocket(CLOSE_CODES.overCapacity, `Over capacity: this app allows at most ${max} connections`, {
    app: awake.app.id,
  });
}

/**
 * A Beacon whose storage could not be brought to its schema serves nothing
 * (state/schema.ts). 4100 makes pusher-js back off and retry, and the
 * release that fixes the upgrade is what answers the retry.
 */
export function refuseUnavailable(appId: string): Response {
  return refuseSocket(
    CLOSE_CODES.overCapacity,
    "Service unavailable: this app's storage could not be upgraded; try again later",
    { app: appId },
  );
}

/** A synchronous failure goes to `failed` here; an asynchronous one is the returned promise's to report. */
export function guarded(task: () => Handled, failed: (error: unknown) => void): Handled {
  try {
    return task();
  } catch (error) {
    failed(error);
  }
}

/** The socket hears that its frame failed; the details stay in the log. */
export function frameFailed(app: App, connection: Connection, error: unknown): void {
  log("error", "frame handler failed", { app: app.id, socket: connection.id, error: String(error) });
  connection.send(frames.errorFrame({ code: null, message: "Internal server error" }));
}

/** A socket whose app is gone from the configuration cannot be served. */
export function closeOrphan(ws: WebSocket): void {
  try {
    ws.send(frames.errorFrame({ code: CLOSE_CODES.appNotFound, message: "App not found" }));
    ws.close(CLOSE_CODES.appNotFound, "App not found");
  } catch {
    // Already closed.
  }
}

/** Completes the close handshake a client started, so that it sees its close promptly. */
export function answerClose(ws: WebSocket, code: number): void {
  const answer = closeAnswerFor(code);
  if (answer === undefined) return;
  try {
    if (answer === NO_CODE) ws.close();
    else ws.close(answer, "Closed");
  } catch {
    // Already closed.
  }
}

/** A socket that broke while going away is expected (debug); an error on an open one is a warning. */
export function socketErrorLevel(ws: WebSocket, error: unknown): LogLevel {
  return isTeardownError(ws.readyState, error) ? "debug" : "warn";
}

/**
 * Accepts an upgrade the Beacon has admitted: the socket is hibernatable,
 * its attachment is written before anything can evict the object, and the
 * handshake goes out. Returns the client's end.
 */
export function acceptSocket(ctx: DurableObjectState, awake: Awake, key: string): WebSocket {
  const { 0: client, 1: server } = new WebSocketPair();
  const socketId = newSocketId();
  ctx.acceptWebSocket(server);
  const attachment = { v: 2, socketId, key, connectedAt: Date.now() } as const;
  writeAttachment(server, attachment);
  const connection = new Connection(server, attachment);
  awake.connections.track(connection);
  startAuthorizationDeadline(awake, connection, attachment.connectedAt);
  server.send(frames.connectionEstablished(socketId));
  return client;
}
