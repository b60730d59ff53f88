import type { App } from "../config/app";
import { log } from "../log";
import { frameCeiling, frameLimits } from "../protocol/socket-limits";
import type { DueWorkState } from "./alarms/due-work-runners";
import { reconcile } from "./changes/reconcile";
import type { SocketState } from "./changes/subscriptions";
import type { ReceiveState } from "./handlers/receive";
import type { PublishState } from "./rpc/publish";
import type { WebhookViewState } from "./rpc/webhooks";
import { AuditOutbox } from "./state/audit-outbox";
import { ChannelCache } from "./state/channel-cache";
import { ChannelHistory } from "./state/channel-history";
import { ChannelIndex, type FanoutMeter } from "./state/channel-index";
import { Connections } from "./state/connections";
import type { ConsoleFeed } from "./state/console-feed";
import { DueWork } from "./state/due-work";
import type { HubLinks } from "./state/hub-links";
import { PresenceRoster } from "./state/presence-roster";
import type { Stats } from "./state/stats";
import type { Store } from "./state/store";
import { SubscriptionRows } from "./state/subscription-rows";
import { UserIndex } from "./state/user-index";
import { UserSessions } from "./state/user-sessions";
import { WatchlistIndex } from "./state/watchlist-index";
import { WebhookAttempts } from "./state/webhook-attempts";
import { WebhookOutbox } from "./state/webhook-outbox";
import type { WebhookMeter } from "./webhooks/delivery";
import { WebhookQueue } from "./webhooks/queue";

/**
 * Everything an awake Beacon holds for its app. Each function below this
 * file declares the part it reads or changes (FrameState, PublishState,
 * SocketState, ...) and is handed this object, which has them all: one
 * object made once per wake, so a frame or a publish allocates nothing for it.
 */
export interface Awake extends ReceiveState, PublishState, SocketState, DueWorkState, WebhookViewState {
  /** The app's statistics, which also count what a sharded app's hubs delivered and stored (rpc/shard-calls.ts). */
  readonly meter: WebhookMeter & Pick<Stats, "count" | "apiCall">;
  readonly attempts: WebhookAttempts;
}

/** What the Beacon opens in SQLite in its constructor, before it knows its app. */
export interface Durable {
  readonly subscriptionRows: SubscriptionRows;
  readonly dueWork: DueWork;
  readonly sessions: UserSessions;
  readonly cache: ChannelCache;
  readonly history: ChannelHistory;
  readonly outbox: WebhookOutbox;
  readonly audit: AuditOutbox;
  readonly attempts: WebhookAttempts;
  readonly meter: FanoutMeter & WebhookMeter & Pick<Stats, "connectionsNow" | "count" | "apiCall">;
  /** The open dashboard consoles, found by their tag when the object is constructed. */
  readonly console: ConsoleFeed;
}

/** What the durable state needs of the object around it: the alarm, and the app id for its log lines. */
export interface DurableHost {
  readonly store: Store;
  readonly stats: Stats;
  readonly console: ConsoleFeed;
  wake(dueAt: number): void;
  reschedule(): void;
  appId(): string | undefined;
}

/** Opens what the Beacon keeps in SQLite, in its constructor, before it knows its app. */
export function openDurable(sql: SqlStorage, host: DurableHost): Durable {
  const subscriptionRows = new SubscriptionRows(host.store, (error, changes) =>
    log("error", "subscription rows could not be written", { app: host.appId(), changes, error: String(error) }),
  );
  return {
    subscriptionRows,
    dueWork: new DueWork(sql, () => host.reschedule()),
    sessions: new UserSessions(sql),
    cache: new ChannelCache(sql),
    history: new ChannelHistory(sql, (dueAt) => host.wake(dueAt), host.stats),
    outbox: new WebhookOutbox(sql),
    audit: new AuditOutbox(sql, host),
    attempts: new WebhookAttempts(sql, host.console),
    meter: host.stats,
    console: host.console,
  };
}

/** How the webhook queue tells the alarm about work it stored (a due time) or removed (none). */
export type WebhooksScheduled = (dueAt?: number) => void;

/**
 * Rebuilds the in-memory indexes for `app` from the sockets that survived
 * and the durable state, reconciling whatever changed while the object slept.
 * `links` makes it a shard of a sharded app, whose hubs own what is app-wide.
 */
export function wake(
  app: App,
  durable: Durable,
  sockets: readonly WebSocket[],
  scheduled: WebhooksScheduled,
  links?: HubLinks,
): Awake {
  const { subscriptionRows, dueWork, sessions, cache, history, outbox, attempts, console } = durable;
  const awake: Awake = {
    ...(links === undefined ? {} : { links }),
    app,
    frameLimits: frameLimits(app.limits),
    frameCeiling: frameCeiling(app.limits),
    connections: new Connections(app.key),
    channels: new ChannelIndex(durable.meter),
    presence: new PresenceRoster(),
    users: new UserIndex(),
    watchlist: new WatchlistIndex(),
    sessions,
    cache,
    history,
    subscriptionRows,
    dueWork,
    meter: durable.meter,
    outbox,
    attempts,
    console,
    // A webhook commits with the rows it reports, so queueing one first writes the rows behind it.
    webhooks: new WebhookQueue(app, durable.outbox, scheduled, () => subscriptionRows.settle()),
  };
  reconcile(awake, sockets);
  awake.connections.observe((open) => durable.meter.connectionsNow(open));
  return awake;
}
