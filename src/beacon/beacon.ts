import { DurableObject } from "cloudflare:workers";
import type { App } from "../config/app";
import { loadApps } from "../config/registry";
import { err, ok } from "../lib/result";
import { utf8Length } from "../lib/text";
import { log } from "../log";
import { parseClientFrame } from "../protocol/client-frames";
import { PONG_FRAME, PUSHER_JS_PING } from "../protocol/constants";
import { CLOSE_CODES } from "../protocol/errors";
import { restError } from "../protocol/rest";
import * as frames from "../protocol/server-frames";
import { newSocketId } from "../protocol/socket-id";
import { refuseSocket } from "../refusal";
import { dueWorkKind } from "./alarm";
import { AlarmClock } from "./alarm-clock";
import { writeAttachment } from "./attachment";
import { startAuthorizationDeadline } from "./authorization-deadline";
import { Connection, type Handled } from "./connection";
import { dispatch } from "./dispatch";
import { DueWork } from "./due-work";
import { removeConnection } from "./membership";
import { type RateKind, RateLimits } from "./rate-limits";
import { Room } from "./room";
import { channelInfo, channelsInfo, channelUsers } from "./rpc/channels";
import { publish } from "./rpc/publish";
import { terminateUserConnections } from "./rpc/terminate";
import type {
  ChannelAttributes,
  ChannelState,
  ChannelsQuery,
  InfoRequest,
  Metered,
  PublishEvent,
  PublishResult,
} from "./rpc/types";
import { Stats, type StatsSnapshot } from "./stats";
import { Store } from "./store";
import { SubscriptionRows } from "./subscription-rows";
import { WebhookOutbox } from "./webhooks/outbox";
import { WebhookQueue } from "./webhooks/queue";
import { webhookWork } from "./webhooks/work";

/** The header the Worker uses to tell the Beacon which app a socket is for. */
export const APP_ID_HEADER = "x-sower-app-id";
const APP_ID_META = "app_id";

/**
 * One per app. It only adapts platform events to the room and its handlers;
 * the protocol lives in those.
 */
export class Beacon extends DurableObject<Env> {
  private readonly store: Store;
  private readonly subscriptionRows: SubscriptionRows;
  private readonly dueWork: DueWork;
  private readonly stats: Stats;
  private readonly rates = new RateLimits();
  private readonly outbox: WebhookOutbox;
  private readonly alarms: AlarmClock;
  private room: Room | undefined;
  private appId: string | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new Store(ctx.storage.sql);
    this.subscriptionRows = new SubscriptionRows(this.store, (error, changes) =>
      log("error", "subscription rows could not be written", { app: this.appId, changes, error: String(error) }),
    );
    this.stats = new Stats(this.store, Date.now());
    this.dueWork = new DueWork(ctx.storage.sql, () => this.alarms.reschedule());
    this.outbox = new WebhookOutbox(ctx.storage.sql);
    // One alarm for every kind of timed work; it rings at the earliest due time of all.
    this.alarms = new AlarmClock(ctx.storage, [dueWorkKind(this.dueWork), webhookWork(this.outbox, this.stats)]);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PUSHER_JS_PING, PONG_FRAME));
  }

  /** Accepts a WebSocket upgrade the Worker has already matched to an app. */
  override async fetch(request: Request): Promise<Response> {
    const appId = request.headers.get(APP_ID_HEADER);
    if (appId === null) return new Response("Missing app id", { status: 400 });
    const room = this.enter(appId);
    if (room === undefined) return new Response("Unknown app", { status: 404 });
    const refusal = refuseOverCapacity(room);
    if (refusal !== undefined) return refusal;

    const { 0: client, 1: server } = new WebSocketPair();
    const socketId = newSocketId();
    this.ctx.acceptWebSocket(server);
    const attachment = { v: 1, socketId, connectedAt: Date.now() } as const;
    writeAttachment(server, attachment);
    const connection = new Connection(server, attachment);
    room.track(connection);
    startAuthorizationDeadline(room, connection, attachment.connectedAt);
    server.send(frames.connectionEstablished(socketId));
    this.stats.count("connections");
    this.stats.flushIfDue(Date.now());
    return new Response(null, { status: 101, webSocket: client });
  }

  /*
   * The HTTP API, one RPC per REST call. The Worker has checked the
   * signature and every value; each call names its app so that a Beacon
   * first woken by a backend knows which app it serves.
   */

  async publish(appId: string, events: PublishEvent[]): Promise<Metered<PublishResult>> {
    const points = events.reduce((sum, event) => sum + event.channels.length, 0);
    return this.serveMetered(appId, "publish", "backendEvents", points, (room) => {
      for (const event of events) this.stats.received(utf8Length(event.data));
      return publish(room, events);
    });
  }

  async channelsInfo(appId: string, query: ChannelsQuery): Promise<Metered<Record<string, ChannelAttributes>>> {
    return this.serveMetered(appId, "channelsInfo", "readRequests", 1, (room) => channelsInfo(room, query));
  }

  async channelInfo(appId: string, channel: string, info: InfoRequest): Promise<Metered<ChannelState>> {
    return this.serveMetered(appId, "channelInfo", "readRequests", 1, (room) => channelInfo(room, channel, info));
  }

  async channelUsers(appId: string, channel: string): Promise<Metered<Array<{ id: string }>>> {
    return this.serveMetered(appId, "channelUsers", "readRequests", 1, (room) => channelUsers(room, channel));
  }

  async terminateUserConnections(appId: string, userId: string): Promise<number> {
    return this.serve(appId, "terminateUserConnections", (room) => terminateUserConnections(room, userId));
  }

  /** The app's statistics, for the signed stats and metrics endpoints. */
  async readStats(appId: string): Promise<StatsSnapshot> {
    return this.serve(appId, "readStats", (room) => this.stats.snapshot(appId, room.gauges(), Date.now()));
  }

  /** Not async: most frames are handled synchronously, and a returned promise costs the runtime CPU per frame. */
  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Handled {
    const room = this.currentRoom();
    const connection = room?.connectionFor(ws);
    if (room === undefined || connection === undefined) {
      closeOrphan(ws);
      return;
    }
    this.stats.received(typeof message === "string" ? utf8Length(message) : message.byteLength);
    const frame = parseClientFrame(message);
    if (!frame.ok) {
      connection.send(frames.errorFrame(frame.error));
      return;
    }
    const failed = (error: unknown) => frameFailed(room, connection, error);
    const handled = guarded(() => connection.inOrder(() => dispatch(room, connection, frame.value)), failed);
    if (!(handled instanceof Promise)) {
      this.stats.flushIfDue(Date.now());
      return;
    }
    return handled.catch(failed).then(() => this.stats.flushIfDue(Date.now()));
  }

  /**
   * Writes now what is otherwise written behind (subscription rows). The
   * runtime waits for that write before it lets an object hibernate, so a
   * test that forces an eviction settles first, as the runtime would.
   */
  settleWrites(): void {
    this.subscriptionRows.settle();
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    await this.forget(ws, `closed ${code}`);
    // Completing the close handshake lets the client see its close promptly.
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, "Closed");
    } catch {
      // Already closed.
    }
  }

  override async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    const socket = this.room?.connectionFor(ws)?.id;
    log("warn", "socket error", { app: this.room?.app.id, socket, error: String(error) });
    await this.forget(ws, `error ${String(error)}`);
  }

  /** Timed work (see alarm-clock.ts): the clock runs every kind that is due; due times are in SQLite. */
  override async alarm(): Promise<void> {
    const room = this.currentRoom();
    // Without its app nothing can be signed or sent; currentRoom() re-arms once the app is back.
    if (room === undefined) return;
    await this.alarms.ring(room);
    this.stats.flushIfDue(Date.now());
  }

  /**
   * Queued behind the socket's frames still in flight: a subscribe awaiting
   * its signature check must not add rows (or a presence member) after the
   * socket's rows were already removed.
   */
  private async forget(ws: WebSocket, why: string): Promise<void> {
    const room = this.currentRoom();
    const connection = room?.connectionFor(ws);
    if (room === undefined || connection === undefined) return;
    try {
      await connection.inOrder(() => removeConnection(room, connection));
      // The object may hibernate once its last socket is gone: keep the counts.
      if (room.connections.size === 0) this.stats.flush(Date.now());
    } catch (error) {
      log("error", "socket clean-up failed", { app: room.app.id, socket: connection.id, why, error: String(error) });
    }
  }

  /** Records which app this object serves (its first caller says so) and returns its room. */
  private enter(appId: string): Room | undefined {
    // Remembered while awake: otherwise every connect and REST call pays (and is billed) a SQLite read.
    if (this.appId !== appId) {
      if (this.store.getMeta(APP_ID_META) !== appId) this.store.setMeta(APP_ID_META, appId);
      this.appId = appId;
    }
    return this.currentRoom();
  }

  /** Runs one RPC; a failure is logged with its app here and rethrown for the Worker to answer 500. */
  private serve<T>(appId: string, method: string, task: (room: Room) => T): T {
    try {
      const room = this.enter(appId);
      if (room === undefined) throw new Error(`App '${appId}' is not configured`);
      return task(room);
    } catch (error) {
      log("error", "rpc failed", { app: appId, method, error: String(error) });
      throw error;
    }
  }

  /**
   * A REST call metered by the app's per-second limits. Counting here, where
   * every call for the app arrives, keeps the limit exact across Worker
   * isolates; a refusal is a value (HTTP 429), not a thrown error.
   */
  private serveMetered<T>(
    appId: string,
    method: string,
    kind: RateKind,
    points: number,
    task: (room: Room) => T,
  ): Metered<T> {
    return this.serve(appId, method, (room) => {
      const now = Date.now();
      const verdict = this.rates.take(kind, points, room.app.limits, now);
      if (!verdict.ok) {
        this.stats.count("rate_limited");
        if (verdict.firstInWindow) log("warn", "rate limit reached", { app: appId, kind, limit: verdict.limit });
        return err(restError(429, verdict.message));
      }
      const value = task(room);
      this.stats.flushIfDue(now);
      return ok(value);
    });
  }

  /** The room, rebuilt from durable state the first time it is needed after a wake. */
  private currentRoom(): Room | undefined {
    if (this.room !== undefined) return this.room;
    const app = this.app();
    if (app === undefined) return undefined;
    const webhooks = new WebhookQueue(
      app,
      this.outbox,
      (dueAt) => (dueAt === undefined ? this.alarms.reschedule() : this.alarms.wake(dueAt)),
      () => this.subscriptionRows.settle(),
    );
    this.room = Room.restore(
      app,
      this.subscriptionRows,
      this.ctx.storage.sql,
      this.dueWork,
      this.ctx.getWebSockets(),
      webhooks,
      this.stats,
    );
    // Work that fell due while the app could not be served has no alarm left.
    this.alarms.reschedule();
    return this.room;
  }

  private app(): App | undefined {
    const appId = this.store.getMeta(APP_ID_META);
    const apps = loadApps(this.env);
    return appId !== undefined && apps.ok ? apps.byId(appId) : undefined;
  }
}

/** `max_connections` is counted here, where the sockets are. 4100 makes pusher-js back off and retry. */
function refuseOverCapacity(room: Room): Response | undefined {
  const max = room.app.limits.maxConnections;
  if (max === null || room.connections.size < max) return undefined;
  return refuseSocket(CLOSE_CODES.overCapacity, `Over capacity: this app allows at most ${max} connections`, {
    app: room.app.id,
  });
}

/** A synchronous failure goes to `failed` here; an asynchronous one is the returned promise's to report. */
function guarded(task: () => Handled, failed: (error: unknown) => void): Handled {
  try {
    return task();
  } catch (error) {
    failed(error);
  }
}

/** The socket hears that its frame failed; the details stay in the log. */
function frameFailed(room: Room, connection: Connection, error: unknown): void {
  log("error", "frame handler failed", { app: room.app.id, socket: connection.id, error: String(error) });
  connection.send(frames.errorFrame({ code: null, message: "Internal server error" }));
}

/** A socket whose app is gone from the configuration cannot be served. */
function closeOrphan(ws: WebSocket): void {
  try {
    ws.send(frames.errorFrame({ code: CLOSE_CODES.appNotFound, message: "App not found" }));
    ws.close(CLOSE_CODES.appNotFound, "App not found");
  } catch {
    // Already closed.
  }
}
