import { DurableObject } from "cloudflare:workers";
import { type App, loadApps } from "../apps";
import { log } from "../log";
import { parseClientFrame } from "../protocol/client-frames";
import { PONG_FRAME, PUSHER_JS_PING } from "../protocol/constants";
import { CLOSE_CODES } from "../protocol/errors";
import * as frames from "../protocol/server-frames";
import { newSocketId } from "../protocol/socket-id";
import { dueWorkKind } from "./alarm";
import { AlarmClock } from "./alarm-clock";
import { writeAttachment } from "./attachment";
import { startAuthorizationDeadline } from "./authorization-deadline";
import { Connection } from "./connection";
import { dispatch } from "./dispatch";
import { DueWork } from "./due-work";
import { removeConnection } from "./membership";
import { Room } from "./room";
import { channelInfo, channelsInfo, channelUsers } from "./rpc/channels";
import { publish } from "./rpc/publish";
import { terminateUserConnections } from "./rpc/terminate";
import type {
  ChannelAttributes,
  ChannelState,
  ChannelsQuery,
  InfoRequest,
  PublishEvent,
  PublishResult,
} from "./rpc/types";
import { Store } from "./store";
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
  private readonly dueWork: DueWork;
  private readonly outbox: WebhookOutbox;
  private readonly alarms: AlarmClock;
  private room: Room | undefined;
  private appId: string | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new Store(ctx.storage.sql);
    this.dueWork = new DueWork(ctx.storage.sql, () => this.alarms.reschedule());
    this.outbox = new WebhookOutbox(ctx.storage.sql);
    // One alarm for every kind of timed work; it rings at the earliest due time of all.
    this.alarms = new AlarmClock(ctx.storage, [dueWorkKind(this.dueWork), webhookWork(this.outbox)]);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PUSHER_JS_PING, PONG_FRAME));
  }

  /** Accepts a WebSocket upgrade the Worker has already matched to an app. */
  override async fetch(request: Request): Promise<Response> {
    const appId = request.headers.get(APP_ID_HEADER);
    if (appId === null) return new Response("Missing app id", { status: 400 });
    const room = this.enter(appId);
    if (room === undefined) return new Response("Unknown app", { status: 404 });

    const { 0: client, 1: server } = new WebSocketPair();
    const socketId = newSocketId();
    this.ctx.acceptWebSocket(server);
    const attachment = { v: 1, socketId, connectedAt: Date.now() } as const;
    writeAttachment(server, attachment);
    const connection = new Connection(server, attachment);
    room.track(connection);
    startAuthorizationDeadline(room, connection, attachment.connectedAt);
    server.send(frames.connectionEstablished(socketId));
    return new Response(null, { status: 101, webSocket: client });
  }

  /*
   * The HTTP API, one RPC per REST call. The Worker has checked the
   * signature and every value; each call names its app so that a Beacon
   * first woken by a backend knows which app it serves.
   */

  async publish(appId: string, events: PublishEvent[]): Promise<PublishResult> {
    return this.serve(appId, "publish", (room) => publish(room, events));
  }

  async channelsInfo(appId: string, query: ChannelsQuery): Promise<Record<string, ChannelAttributes>> {
    return this.serve(appId, "channelsInfo", (room) => channelsInfo(room, query));
  }

  async channelInfo(appId: string, channel: string, info: InfoRequest): Promise<ChannelState> {
    return this.serve(appId, "channelInfo", (room) => channelInfo(room, channel, info));
  }

  async channelUsers(appId: string, channel: string): Promise<Array<{ id: string }>> {
    return this.serve(appId, "channelUsers", (room) => channelUsers(room, channel));
  }

  async terminateUserConnections(appId: string, userId: string): Promise<number> {
    return this.serve(appId, "terminateUserConnections", (room) => terminateUserConnections(room, userId));
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const room = this.currentRoom();
    const connection = room?.connectionFor(ws);
    if (room === undefined || connection === undefined) {
      closeOrphan(ws);
      return;
    }
    const frame = parseClientFrame(message);
    if (!frame.ok) {
      connection.send(frames.errorFrame(frame.error));
      return;
    }
    try {
      await connection.inOrder(() => dispatch(room, connection, frame.value));
    } catch (error) {
      log("error", "frame handler failed", { app: room.app.id, socket: connection.id, error: String(error) });
      connection.send(frames.errorFrame({ code: null, message: "Internal server error" }));
    }
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
    await this.forget(ws, `error ${String(error)}`);
  }

  /** Timed work (see alarm-clock.ts): the clock runs every kind that is due; due times are in SQLite. */
  override async alarm(): Promise<void> {
    const room = this.currentRoom();
    // Without its app nothing can be signed or sent; currentRoom() re-arms once the app is back.
    if (room === undefined) return;
    await this.alarms.ring(room);
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

  /** The room, rebuilt from durable state the first time it is needed after a wake. */
  private currentRoom(): Room | undefined {
    if (this.room !== undefined) return this.room;
    const app = this.app();
    if (app === undefined) return undefined;
    const webhooks = new WebhookQueue(app, this.outbox, (dueAt) =>
      dueAt === undefined ? this.alarms.reschedule() : this.alarms.wake(dueAt),
    );
    this.room = Room.restore(app, this.store, this.ctx.storage.sql, this.dueWork, this.ctx.getWebSockets(), webhooks);
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

/** A socket whose app is gone from the configuration cannot be served. */
function closeOrphan(ws: WebSocket): void {
  try {
    ws.send(frames.errorFrame({ code: CLOSE_CODES.appNotFound, message: "App not found" }));
    ws.close(CLOSE_CODES.appNotFound, "App not found");
  } catch {
    // Already closed.
  }
}
