import type { AuditRequest } from "../audit/entry";
import type { HistoryPage, HistoryQuery } from "../contract/history";
import {
  APP_ID_HEADER,
  APP_KEY_HEADER,
  type ChannelCounts,
  type ChannelState,
  type ChannelsQuery,
  type InfoRequest,
  type Metered,
  type PresenceMember,
  type PublishEvent,
  type PublishResult,
  SHARD_HEADER,
} from "../contract/rpc";
import { err, ok } from "../lib/result";
import { utf8Length } from "../lib/text";
import { log } from "../log";
import { PONG_FRAME, PUSHER_JS_PING } from "../protocol/constants";
import { AlarmClock } from "./alarms/alarm-clock";
import { auditFlush } from "./alarms/audit-flush";
import { dueWorkKind } from "./alarms/due-work-runners";
import { historyRetention } from "./alarms/history-retention";
import { webhookWork } from "./alarms/webhook-work";
import { type Awake, type Durable, openDurable, wake } from "./awake";
import { configuredApp } from "./configured-app";
import { isConsoleUpgrade, openConsole } from "./console-socket";
import { DashboardSurface } from "./dashboard-surface";
import { receiveFrame } from "./handlers/receive";
import { channelInfo, channelsInfo, channelUsers } from "./rpc/channels";
import { channelMembers } from "./rpc/members";
import { type MeteredCall, meterCall, READ } from "./rpc/metering";
import { publish } from "./rpc/publish";
import { terminateUserConnections } from "./rpc/terminate";
import { isShard, type ShardAwake } from "./shard-surface";
import {
  acceptSocket,
  answerClose,
  closeOrphan,
  forgetSocket,
  frameFailed,
  guarded,
  refuseAdmission,
  refuseUnavailable,
  socketErrorLevel,
} from "./sockets";
import type { Handled } from "./state/connection";
import { CONSOLE_TAG, ConsoleFeed } from "./state/console-feed";
import { HubLinks } from "./state/hub-links";
import { MIGRATIONS } from "./state/migrations";
import { RateLimits } from "./state/rate-limits";
import { APP_ID_META, type SchemaStatus, upgradeSchema } from "./state/schema";
import { ShardIdentity } from "./state/shard-identity";
import { Stats } from "./state/stats";
import { Store } from "./state/store";
import { StatsPublisher } from "./stats-publisher";

/**
 * One per app. It only adapts platform events (and the Worker's RPC calls)
 * to the handlers, RPC functions and alarm work; the protocol lives in those.
 * See README.md in this folder for the floors below it.
 */
export class Beacon extends DashboardSurface {
  private readonly schema: SchemaStatus;
  private readonly store: Store;
  private readonly identity: ShardIdentity;
  private readonly stats: Stats;
  private readonly publisher: StatsPublisher;
  private readonly rates = new RateLimits();
  private readonly durable: Durable;
  private readonly alarms: AlarmClock<Awake>;
  private awake: Awake | undefined;
  private appId: string | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Before anything reads: every state class below assumes the latest schema.
    this.schema = upgradeSchema(ctx.storage, MIGRATIONS);
    const sql = ctx.storage.sql;
    this.store = new Store(sql);
    this.identity = new ShardIdentity(this.store);
    this.stats = new Stats(this.store, Date.now(), sql);
    const { store, stats } = this;
    const host = { store, stats, wake: (dueAt: number) => this.alarms.wake(dueAt), appId: () => this.appId };
    const console = new ConsoleFeed(ctx.getWebSockets(CONSOLE_TAG));
    this.durable = openDurable(sql, { ...host, console, reschedule: () => this.alarms.reschedule() });
    const { dueWork, outbox, history, audit, attempts } = this.durable;
    this.publisher = new StatsPublisher(env, ctx.id.toString(), this.stats, (dueAt) => this.alarms.wake(dueAt));
    // One alarm for every kind of timed work; it rings at the earliest due time of all.
    const timed = [webhookWork(outbox, this.stats, attempts), historyRetention(history), this.publisher.timedWork()];
    const kinds = [dueWorkKind(dueWork), ...timed, auditFlush(audit, env, ctx.id.toString())];
    this.alarms = new AlarmClock(ctx.storage, kinds);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PUSHER_JS_PING, PONG_FRAME));
  }

  /** Accepts a WebSocket upgrade the Worker has already matched to an app. */
  override async fetch(request: Request): Promise<Response> {
    const appId = request.headers.get(APP_ID_HEADER);
    if (appId === null) return new Response("Missing app id", { status: 400 });
    if (!this.schema.ok) return refuseUnavailable(appId);
    const key = request.headers.get(APP_KEY_HEADER);
    if (key === null) return new Response("Missing app key", { status: 400 });
    const shard = request.headers.get(SHARD_HEADER);
    if (shard !== null) this.becomeShard(shard);
    const awake = this.enter(appId);
    if (awake === undefined) return new Response("Unknown app", { status: 404 });
    if (isConsoleUpgrade(request)) return openConsole(this.ctx, awake.console);
    const refusal = await refuseAdmission(awake, key);
    if (refusal !== undefined) return refusal;

    const client = acceptSocket(this.ctx, awake, key, request.headers.get("Origin"));
    this.stats.count("connections");
    this.afterWork(awake, Date.now());
    return new Response(null, { status: 101, webSocket: client });
  }

  /*
   * The HTTP API, one RPC per REST call. The Worker has checked the
   * signature and every value; each call names its app so that a Beacon
   * first woken by a backend knows which app it serves.
   */

  async publish(appId: string, events: PublishEvent[], audit?: AuditRequest): Promise<Metered<PublishResult>> {
    const points = events.reduce((sum, event) => sum + event.channels.length, 0);
    return this.serveMetered(appId, "publish", { kind: "backendEvents", points, audit }, (awake) => {
      for (const event of events) this.stats.received(utf8Length(event.data));
      return publish(awake, events);
    });
  }

  async channelsInfo(appId: string, query: ChannelsQuery): Promise<Metered<ChannelCounts>> {
    return this.serveMetered(appId, "channelsInfo", READ, (awake) => channelsInfo(awake, query));
  }

  async channelInfo(appId: string, channel: string, info: InfoRequest): Promise<Metered<ChannelState>> {
    return this.serveMetered(appId, "channelInfo", READ, (awake) => channelInfo(awake, channel, info));
  }

  async channelUsers(appId: string, channel: string): Promise<Metered<Array<{ id: string }>>> {
    return this.serveMetered(appId, "channelUsers", READ, (awake) => channelUsers(awake, channel));
  }

  async channelHistory(appId: string, channel: string, query: HistoryQuery): Promise<Metered<HistoryPage>> {
    return this.serveMetered(appId, "channelHistory", READ, (awake) => awake.history.page(channel, query));
  }

  async channelMembers(appId: string, channel: string): Promise<Metered<PresenceMember[]>> {
    return this.serveMetered(appId, "channelMembers", READ, (awake) => channelMembers(awake, channel));
  }

  /** A backend event's point: like sendToUser, it is the backend acting on the user's sockets. */
  async terminateUserConnections(appId: string, userId: string, audit?: AuditRequest): Promise<Metered<number>> {
    const call: MeteredCall = { kind: "backendEvents", points: 1, audit };
    return this.serveMetered(appId, "terminateUserConnections", call, (state) =>
      terminateUserConnections(state, userId),
    );
  }

  /** Calls the Worker refused, or that a sharded app's hubs did not handle (docs/audit.md): recorded, nothing more. */
  async recordAudit(appId: string, requests: AuditRequest[]): Promise<void> {
    this.serve(appId, "recordAudit", () => this.durable.audit.record(requests, Date.now()));
  }

  protected onShard<T>(appId: string, shard: string, method: string, task: (state: ShardAwake) => T): T {
    this.becomeShard(shard);
    return this.serve(appId, method, (awake) => {
      if (!isShard(awake)) throw new Error(`'${shard}' is not a shard of app '${appId}'`);
      const result = task(awake);
      // A delivery from the Worker or a hub is work like any other: the registry hears of it.
      this.afterWork(awake, Date.now());
      return result;
    });
  }

  /** Not async: most frames are handled synchronously, and a returned promise costs the runtime CPU per frame. */
  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Handled {
    const awake = this.currentState();
    if (awake === undefined) {
      closeOrphan(ws);
      return;
    }
    // Not tracked: the Beacon closed it (flooding, terminate_connections) and its close is on the way.
    const connection = awake.connections.connectionFor(ws);
    if (connection === undefined) return;
    const failed = (error: unknown) => frameFailed(awake, connection, error);
    const handled = guarded(() => receiveFrame(awake, connection, message, this.stats), failed);
    if (!(handled instanceof Promise)) {
      this.afterWork(awake, Date.now());
      return;
    }
    return handled.catch(failed).then(() => this.afterWork(awake, Date.now()));
  }

  /** Writes now what is written behind (subscription rows), as the runtime does before an object hibernates. */
  settleWrites(): void {
    this.durable.subscriptionRows.settle();
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    await this.forget(ws, { code, text: `closed ${code}` });
    answerClose(ws, code);
  }

  override async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    const socket = this.awake?.connections.connectionFor(ws)?.id;
    log(socketErrorLevel(ws, error), "socket error", { app: this.awake?.app.id, socket, error: String(error) });
    await this.forget(ws, { code: null, text: `error ${String(error)}` });
  }

  /** Timed work (see alarms/alarm-clock.ts): the clock runs every kind that is due; due times are in SQLite. */
  override async alarm(): Promise<void> {
    const awake = this.currentState();
    // Without its app nothing can be signed or sent; currentState() re-arms once the app is back.
    if (awake === undefined) return;
    await this.alarms.ring(awake);
    this.afterWork(awake, Date.now());
  }

  private async forget(ws: WebSocket, why: { code: number | null; text: string }): Promise<void> {
    const awake = this.currentState();
    await forgetSocket(awake, ws, why, this.stats);
    if (awake !== undefined) this.afterWork(awake, Date.now());
  }

  /**
   * Records that this object is a shard of a sharded app, by its name (its
   * first socket or hub call says so); state built before it knew is rebuilt.
   */
  private becomeShard(shard: string): void {
    if (this.identity.name(shard) && this.awake !== undefined && !isShard(this.awake)) this.awake = undefined;
  }

  /** Records which app this object serves (its first caller says so) and returns its state. */
  private enter(appId: string): Awake | undefined {
    if (!this.schema.ok) throw new Error(this.schema.problem);
    // Remembered while awake: otherwise every connect and REST call pays (and is billed) a SQLite read.
    if (this.appId !== appId) {
      if (this.store.getMeta(APP_ID_META) !== appId) this.store.setMeta(APP_ID_META, appId);
      this.appId = appId;
    }
    return this.currentState();
  }

  /** Runs one RPC; a failure is logged with its app here and rethrown for the Worker to answer 500. */
  private serve<T>(appId: string, method: string, task: (awake: Awake) => T): T {
    try {
      const awake = this.enter(appId);
      if (awake === undefined) throw new Error(`App '${appId}' is not configured`);
      return task(awake);
    } catch (error) {
      log("error", "rpc failed", { app: appId, method, error: String(error) });
      throw error;
    }
  }

  protected readFigures<T>(appId: string, method: string, read: (awake: Awake, stats: Stats) => T): Metered<T> {
    return this.serveMetered(appId, method, READ, (awake) => read(awake, this.stats));
  }

  /** A REST call metered by the app's per-second limits (rpc/metering.ts); a refusal is a value, not a throw. */
  protected serveMetered<T>(appId: string, method: string, call: MeteredCall, task: (awake: Awake) => T): Metered<T> {
    return this.serve(appId, method, (awake) => {
      const now = Date.now();
      const refusal = meterCall(this.rates, this.stats, awake, { ...call, method }, now);
      const result: Metered<T> = refusal === undefined ? ok(task(awake)) : err(refusal);
      // Recorded in the step that did the work, so the entry commits with it (docs/audit.md).
      if (call.audit !== undefined) this.durable.audit.append(call.audit, refusal?.status ?? 200, now);
      this.afterWork(awake, now);
      return result;
    });
  }

  /** Every event ends here: totals reach SQLite, and the figures the registry shows, when each is due. */
  private afterWork(awake: Awake, now: number): void {
    this.stats.flushIfDue(now);
    this.publisher.changed(awake, now);
  }

  /** The app's state, rebuilt from durable state the first time it is needed after a wake. */
  private currentState(): Awake | undefined {
    if (this.awake !== undefined) return this.awake;
    if (!this.schema.ok) return undefined;
    const app = configuredApp(this.store, this.env);
    if (app === undefined) return undefined;
    const shard = this.identity.current();
    const links = shard === undefined ? undefined : new HubLinks(this.env.HUB, app, shard);
    const scheduled = (dueAt?: number) => (dueAt === undefined ? this.alarms.reschedule() : this.alarms.wake(dueAt));
    this.awake = wake(app, this.durable, this.ctx.getWebSockets(), scheduled, links);
    // Work that fell due while the app could not be served has no alarm left.
    this.alarms.reschedule();
    return this.awake;
  }
}
