import type { App } from "../config/app";
import { keyStanding } from "../config/app-keys";
import { CONNECTIONS_HUB } from "../contract/objects";
import { refuseSocket } from "../contract/refusal";
import { withDeadline } from "../lib/deadline";
import { type LogLevel, log } from "../log";
import { CLOSE_CODES, KEY_REFUSALS } from "../protocol/errors";
import * as frames from "../protocol/server-frames";
import { newSocketId } from "../protocol/socket-id";
import type { Awake } from "./awake";
import { startAuthorizationDeadline } from "./changes/authorization-deadline";
import { reportSoon } from "./changes/shard-hubs";
import { removeConnection } from "./changes/subscriptions";
import { writeAttachment } from "./state/attachment";
import { Connection, type Handled } from "./state/connection";
import type { HubLinks } from "./state/hub-links";
import { closeAnswerFor, isTeardownError, NO_CODE } from "./state/socket-teardown";
import type { Stats } from "./state/stats";

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

/**
 * The most sockets one object accepts: below the platform's 32,768
 * hibernatable WebSockets per object, so that a full object refuses with a
 * close pusher-js understands instead of failing inside the runtime.
 */
export const OBJECT_SOCKET_CAP = 30_000;

/**
 * Why a new socket is refused for capacity, or undefined when there is room:
 * the app's `max_connections`, then the object's own cap.
 */
export function capacityProblem(
  maxConnections: number | null,
  connected: number,
  objectCap = OBJECT_SOCKET_CAP,
): string | undefined {
  if (maxConnections !== null && connected >= maxConnections) return appFull(maxConnections);
  if (connected >= objectCap) return `Over capacity: this server holds at most ${objectCap} connections`;
  return undefined;
}

/** Counted here, where the sockets are. 4100 makes pusher-js back off and retry. */
export function refuseOverCapacity(awake: Awake): Response | undefined {
  const problem = capacityProblem(awake.app.limits.maxConnections, awake.connections.size);
  if (problem === undefined) return undefined;
  return refuseSocket(CLOSE_CODES.overCapacity, problem, { app: awake.app.id });
}

/**
 * Why a new socket is refused, or undefined when it may connect: its key,
 * then this object's room, then (on a shard) the app's.
 */
export async function refuseAdmission(awake: Awake, key: string): Promise<Response | undefined> {
  const refusal = refuseKey(awake.app, key) ?? refuseOverCapacity(awake);
  if (refusal !== undefined || awake.links === undefined) return refusal;
  return refuseOverAppCapacity(awake, awake.links);
}

/** How long a shard waits for the app's connection count before refusing the socket. */
const ADMISSION_DEADLINE_MS = 5000;

/**
 * A sharded app's `max_connections` counts every shard's sockets: the app's
 * connection count (a hub, CONNECTIONS_HUB) admits each new one. If it does
 * not answer, the socket is refused with 4100 too, and pusher-js retries.
 */
async function refuseOverAppCapacity(awake: Awake, links: HubLinks): Promise<Response | undefined> {
  const max = awake.app.limits.maxConnections;
  if (max === null) return undefined;
  const { admissions } = links;
  const admission = admissions.begin();
  let admitted: boolean;
  try {
    const count = admissions.request(admission, awake.connections.size);
    admitted = await withDeadline(
      links.hub(CONNECTIONS_HUB).admit(awake.app.id, links.shard, count),
      ADMISSION_DEADLINE_MS,
    );
  } catch (error) {
    log("error", "the app's connection count did not answer", {
      app: awake.app.id,
      shard: links.shard,
      error: String(error),
    });
    admissions.end(admission, false);
    // It may have taken the count before the deadline, this socket included: it hears the shard's again.
    reportSoon(awake, CONNECTIONS_HUB);
    return refuseSocket(CLOSE_CODES.overCapacity, "Over capacity: try again later", { app: awake.app.id });
  }
  if (admissions.end(admission, admitted)) reportSoon(awake, CONNECTIONS_HUB);
  return admitted ? undefined : refuseSocket(CLOSE_CODES.overCapacity, appFull(max), { app: awake.app.id });
}

function appFull(maxConnections: number): string {
  return `Over capacity: this app allows at most ${maxConnections} connections`;
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
export function frameFailed(awake: Pick<Awake, "app" | "console">, connection: Connection, error: unknown): void {
  log("error", "frame handler failed", { app: awake.app.id, socket: connection.id, error: String(error) });
  connection.send(frames.errorFrame({ code: null, message: "Internal server error" }));
  if (awake.console.open) {
    const message = "A frame's handler failed: the log has the details";
    awake.console.emit({ kind: "error", at: Date.now(), socket: connection.id, message });
  }
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
export function acceptSocket(ctx: DurableObjectState, awake: Awake, key: string, origin: string | null): WebSocket {
  const { 0: client, 1: server } = new WebSocketPair();
  const socketId = newSocketId();
  ctx.acceptWebSocket(server);
  const attachment = { v: 2, socketId, key, connectedAt: Date.now() } as const;
  writeAttachment(server, attachment);
  const connection = new Connection(server, attachment);
  awake.connections.track(connection);
  startAuthorizationDeadline(awake, connection, attachment.connectedAt);
  server.send(frames.connectionEstablished(socketId));
  if (awake.console.open)
    awake.console.emit({ kind: "connected", at: attachment.connectedAt, socket: socketId, origin });
  return client;
}

/**
 * A socket closed or failed: its state goes, queued behind its frames still
 * in flight, since a subscribe awaiting its signature check must not add
 * rows (or a presence member) after the socket's rows were already removed.
 * A console that closed only leaves the list of consoles.
 */
export async function forgetSocket(
  awake: Awake | undefined,
  ws: WebSocket,
  why: { code: number | null; text: string },
  stats: Pick<Stats, "flush">,
): Promise<void> {
  if (awake === undefined || awake.console.remove(ws)) return;
  const connection = awake.connections.connectionFor(ws);
  if (connection === undefined) return;
  if (awake.console.open) awake.console.emit({ kind: "closed", at: Date.now(), socket: connection.id, code: why.code });
  try {
    await connection.inOrder(() => removeConnection(awake, connection));
    // The object may hibernate once its last socket is gone: keep the counts.
    if (awake.connections.size === 0) stats.flush(Date.now());
  } catch (error) {
    const fields = { app: awake.app.id, socket: connection.id, why: why.text, error: String(error) };
    log("error", "socket clean-up failed", fields);
  }
}
