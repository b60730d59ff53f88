import { DurableObject } from "cloudflare:workers";
import type { AuditRequest } from "../audit/entry";
import type { WebhookOutboxView } from "../contract/console";
import type { HistoryEntry, HistoryPage, HistoryQuery } from "../contract/history";
import type {
  FilledGap,
  HubChannelState,
  JoinAnswer,
  JoinRequest,
  Route,
  RouteRequest,
  ShardReport,
} from "../contract/hub-rpc";
import { CONNECTIONS_HUB } from "../contract/objects";
import type { InfoRequest, PresenceMember } from "../contract/rpc";
import { log } from "../log";
import { AlarmClock, type TimedWork } from "./alarms/alarm-clock";
import { auditFlush } from "./alarms/audit-flush";
import { historyRetention } from "./alarms/history-retention";
import { webhookWork } from "./alarms/webhook-work";
import { configuredApp } from "./configured-app";
import { admitConnection } from "./hubs/connections";
import { toShards } from "./hubs/forward";
import { missedAfter, relayStored } from "./hubs/history";
import type { HubState } from "./hubs/hub-state";
import { join } from "./hubs/join";
import { announceCount } from "./hubs/membership";
import { readChannel, readMembers, readUsers, route } from "./hubs/reads";
import { applyReport } from "./hubs/report";
import { sendHubTally, sendTally } from "./hubs/tally";
import { terminateUser, userSignedIn, watcherAdded } from "./hubs/users";
import { retryWebhooksNow, webhookOutboxView } from "./rpc/webhooks";
import { AuditOutbox } from "./state/audit-outbox";
import { ChannelCache } from "./state/channel-cache";
import { ChannelHistory } from "./state/channel-history";
import { DueWork } from "./state/due-work";
import { HUB_MIGRATIONS } from "./state/hub-migrations";
import { HubRecords } from "./state/hub-records";
import { HubTally } from "./state/hub-tally";
import { RecentExclusions } from "./state/recent-exclusions";
import { APP_ID_META, type SchemaStatus, upgradeSchema } from "./state/schema";
import { ShardStubs } from "./state/shard-stubs";
import { FLUSH_INTERVAL_MS } from "./state/stats";
import { Store } from "./state/store";
import { WebhookOutbox } from "./state/webhook-outbox";
import { WebhookTally } from "./state/webhook-tally";
import { WebhookQueue } from "./webhooks/queue";

const CHANNEL_META = "channel";

/**
 * One channel of a sharded app (docs/scaling.md): what each shard holds of
 * it, its presence roster, cache, history, subscriber counts and webhooks, and for a
 * user's channel the user's signed-in sockets and watchers. One owner per
 * channel, so no object is on the path of the app's other channels. It
 * holds no sockets and sleeps whenever nothing calls it.
 */
export class Hub extends DurableObject<Env> {
  private readonly schema: SchemaStatus;
  private readonly store: Store;
  private readonly cache: ChannelCache;
  private readonly history: ChannelHistory;
  private readonly outbox: WebhookOutbox;
  private readonly dueWork: DueWork;
  private readonly audit: AuditOutbox;
  private readonly alarms: AlarmClock<HubState>;
  private readonly tally = new WebhookTally();
  /** Counted here and handed to the app's first shard: hubs keep no statistics of their own. */
  private readonly figures = new HubTally(() => this.alarms.reschedule());
  private state: HubState | undefined;
  /** Changes of membership, one after another in the order they arrived (see `inOrder`). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.schema = upgradeSchema(ctx.storage, HUB_MIGRATIONS);
    this.store = new Store(ctx.storage.sql);
    this.cache = new ChannelCache(ctx.storage.sql);
    this.history = new ChannelHistory(ctx.storage.sql, (dueAt) => this.alarms.wake(dueAt), this.figures);
    this.outbox = new WebhookOutbox(ctx.storage.sql);
    this.dueWork = new DueWork(ctx.storage.sql, () => this.alarms.reschedule());
    this.audit = new AuditOutbox(ctx.storage.sql, {
      wake: (dueAt) => this.alarms.wake(dueAt),
      appId: () => this.state?.app.id,
    });
    this.alarms = new AlarmClock(ctx.storage, [
      countWork(this.dueWork),
      webhookWork(this.outbox, this.tally, this.tally),
      historyRetention(this.history),
      hubCountWork(this.figures),
      auditFlush(this.audit, env, ctx.id.toString()),
    ]);
  }

  /* From the shards. */

  async join(appId: string, channel: string, request: JoinRequest): Promise<JoinAnswer> {
    return this.inOrder(appId, channel, "join", (state) => join(state, request));
  }

  async report(appId: string, channel: string, report: ShardReport): Promise<void> {
    return this.inOrder(appId, channel, "report", (state) => applyReport(state, report));
  }

  /** A client event: every other shard's subscribers get it; the sender's shard has relayed it already. */
  async relay(appId: string, channel: string, shard: string, frame: string): Promise<number> {
    return this.serve(appId, channel, "relay", (state) => toShards(state, frame, { exceptShard: shard }));
  }

  /** A client event on a history channel that stores them: numbered and stored here, then relayed; answers its serial. */
  async relayStored(appId: string, channel: string, shard: string, entry: HistoryEntry): Promise<number | undefined> {
    return this.serve(appId, channel, "relayStored", (state) => relayStored(state, shard, entry));
  }

  /** A shard's deliveries of this history channel skipped some serials: the events after `serial`. */
  async missedAfter(appId: string, channel: string, serial: number, epoch?: string): Promise<FilledGap> {
    return this.serve(appId, channel, "missedAfter", (state) => missedAfter(state, serial, epoch));
  }

  async signIn(appId: string, channel: string, shard: string, socketId: string): Promise<void> {
    return this.inOrder(appId, channel, "signIn", (state) => userSignedIn(state, shard, socketId));
  }

  async watch(appId: string, channel: string, shard: string, socketId: string): Promise<boolean> {
    return this.inOrder(appId, channel, "watch", (state) => watcherAdded(state, shard, socketId));
  }

  /** The app's connection count (CONNECTIONS_HUB): may this shard accept one more socket? */
  async admit(appId: string, shard: string, sockets: number): Promise<boolean> {
    return this.inOrder(appId, CONNECTIONS_HUB, "admit", (state) => admitConnection(state, shard, sockets));
  }

  /* From the Worker's REST calls. */

  /**
   * A trigger's first channel's hub records the call (docs/audit.md) and
   * counts it for the app's statistics, in the step that routes it.
   */
  async route(appId: string, channel: string, request: RouteRequest, audit?: AuditRequest): Promise<Route> {
    return this.serve(appId, channel, "route", (state) => {
      const routed = route(state, request);
      if (request.trigger !== undefined) this.figures.trigger(request.trigger.events, request.trigger.bytesIn);
      if (audit !== undefined) this.audit.append(audit, 200, Date.now());
      return routed;
    });
  }

  /* Each counted as one API call, as one Beacon counts every REST call it answers. */

  async channelHistory(appId: string, channel: string, query: HistoryQuery): Promise<HistoryPage> {
    this.figures.apiCall();
    return this.serve(appId, channel, "channelHistory", (state) => state.history.page(channel, query));
  }

  async channelInfo(appId: string, channel: string, info: InfoRequest): Promise<HubChannelState> {
    this.figures.apiCall();
    return this.inOrder(appId, channel, "channelInfo", (state) => readChannel(state, info));
  }

  async channelUsers(appId: string, channel: string): Promise<{ users: Array<{ id: string }>; unanswered: number }> {
    this.figures.apiCall();
    return this.inOrder(appId, channel, "channelUsers", (state) => readUsers(state));
  }

  async channelMembers(appId: string, channel: string): Promise<{ members: PresenceMember[]; unanswered: number }> {
    this.figures.apiCall();
    return this.inOrder(appId, channel, "channelMembers", (state) => readMembers(state));
  }

  async terminate(appId: string, channel: string, audit?: AuditRequest): Promise<number> {
    this.figures.apiCall();
    return this.inOrder(appId, channel, "terminate", (state) => {
      if (audit !== undefined) this.audit.append(audit, 200, Date.now());
      return terminateUser(state);
    });
  }

  /* From the dashboard's webhooks view. */

  async webhookOutbox(appId: string, channel: string): Promise<WebhookOutboxView> {
    return this.serve(appId, channel, "webhookOutbox", (state) => webhookOutboxView({ ...state, outbox: this.outbox }));
  }

  async retryWebhooks(appId: string, channel: string): Promise<number> {
    return this.serve(appId, channel, "retryWebhooks", (state) => retryWebhooksNow(state));
  }

  override async alarm(): Promise<void> {
    const state = this.current();
    if (state === undefined) return;
    await this.alarms.ring(state);
    await sendTally(state, this.tally, this.figures);
  }

  /**
   * Membership changes run one at a time, in arrival order: a join that
   * waits for the shards to be checked must not let a later report from the
   * same shard be applied before it.
   */
  private inOrder<T>(appId: string, channel: string, method: string, task: (state: HubState) => T | Promise<T>) {
    const run = this.queue.then(() => this.serve(appId, channel, method, task));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Runs one call; a failure is logged with its app and channel and rethrown to the caller. */
  private async serve<T>(appId: string, channel: string, method: string, task: (state: HubState) => T | Promise<T>) {
    try {
      return await task(this.enter(appId, channel));
    } catch (error) {
      log("error", "hub call failed", { app: appId, channel, method, error: String(error) });
      throw error;
    }
  }

  /** Records the app and channel (its first caller names them; the alarm has only these) and returns the state. */
  private enter(appId: string, channel: string): HubState {
    if (!this.schema.ok) throw new Error(this.schema.problem);
    if (this.state === undefined) {
      if (this.store.getMeta(APP_ID_META) !== appId) this.store.setMeta(APP_ID_META, appId);
      if (this.store.getMeta(CHANNEL_META) !== channel) this.store.setMeta(CHANNEL_META, channel);
    }
    const state = this.current();
    if (state === undefined) throw new Error(`App '${appId}' is not configured`);
    if (state.app.id !== appId || state.channel !== channel) {
      throw new Error(`this hub serves '${state.channel}' of app '${state.app.id}'`);
    }
    return state;
  }

  private current(): HubState | undefined {
    if (this.state !== undefined) return this.state;
    if (!this.schema.ok) return undefined;
    const app = configuredApp(this.store, this.env);
    const channel = this.store.getMeta(CHANNEL_META);
    if (app === undefined || channel === undefined) return undefined;
    const sql = this.ctx.storage.sql;
    this.state = {
      app,
      channel,
      records: new HubRecords(sql, channel),
      shards: new ShardStubs(this.env.BEACON, app),
      cache: this.cache,
      history: this.history,
      exclusions: new RecentExclusions(),
      dueWork: this.dueWork,
      // The hub writes nothing behind, so a webhook has nothing to settle first.
      webhooks: new WebhookQueue(
        app,
        this.outbox,
        (dueAt) => this.scheduled(dueAt),
        () => undefined,
      ),
    };
    this.alarms.reschedule();
    return this.state;
  }

  private scheduled(dueAt?: number): void {
    if (dueAt === undefined) this.alarms.reschedule();
    else this.alarms.wake(dueAt);
  }
}

/** A hub's counts reach the app's statistics within an interval, or sooner when another alarm rings (sendTally). */
function hubCountWork(tally: HubTally): TimedWork<HubState> {
  return {
    name: "hub-counts",
    nextDueAt: () => {
      const since = tally.startedAt();
      return since === undefined ? undefined : since + FLUSH_INTERVAL_MS;
    },
    run: (state) => sendHubTally(state, tally),
  };
}

/** The hub's count announcements as timed work: gathered like the Beacon's, then told to every shard. */
function countWork(dueWork: DueWork): TimedWork<HubState> {
  return {
    name: "subscription-count",
    nextDueAt: () => dueWork.nextDueAt(),
    run: async (state) => {
      if (dueWork.takeDue(Date.now()).size > 0) await announceCount(state);
    },
  };
}
