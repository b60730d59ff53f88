import type { App } from "../config/app";
import type { DueWorkState } from "./alarms/due-work-runners";
import { reconcile } from "./changes/reconcile";
import type { SocketState } from "./changes/subscriptions";
import type { FrameState } from "./handlers/dispatch";
import type { PublishState } from "./rpc/publish";
import type { ChannelCache } from "./state/channel-cache";
import { ChannelIndex, type FanoutMeter } from "./state/channel-index";
import { Connections } from "./state/connections";
import type { DueWork } from "./state/due-work";
import type { HubLinks } from "./state/hub-links";
import { PresenceRoster } from "./state/presence-roster";
import type { SubscriptionRows } from "./state/subscription-rows";
import { UserIndex } from "./state/user-index";
import type { UserSessions } from "./state/user-sessions";
import { WatchlistIndex } from "./state/watchlist-index";
import type { WebhookOutbox } from "./state/webhook-outbox";
import type { WebhookMeter } from "./webhooks/delivery";
import { WebhookQueue } from "./webhooks/queue";

/**
 * Everything an awake Beacon holds for its app. Each function below this
 * file declares the part it reads or changes (FrameState, PublishState,
 * SocketState, ...) and is handed this object, which has them all: one
 * object made once per wake, so a frame or a publish allocates nothing for it.
 */
export interface Awake extends FrameState, PublishState, SocketState, DueWorkState {
  /** The app's statistics, which also count what a sharded app's hubs delivered (rpc/shard-calls.ts). */
  readonly meter: WebhookMeter;
}

/** What the Beacon opens in SQLite in its constructor, before it knows its app. */
export interface Durable {
  readonly subscriptionRows: SubscriptionRows;
  readonly dueWork: DueWork;
  readonly sessions: UserSessions;
  readonly cache: ChannelCache;
  readonly outbox: WebhookOutbox;
  readonly meter: FanoutMeter & WebhookMeter;
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
  const { subscriptionRows, dueWork, sessions, cache } = durable;
  const awake: Awake = {
    ...(links === undefined ? {} : { links }),
    app,
    connections: new Connections(),
    channels: new ChannelIndex(durable.meter),
    presence: new PresenceRoster(),
    users: new UserIndex(),
    watchlist: new WatchlistIndex(),
    sessions,
    cache,
    subscriptionRows,
    dueWork,
    meter: durable.meter,
    // A webhook commits with the rows it reports, so queueing one first writes the rows behind it.
    webhooks: new WebhookQueue(app, durable.outbox, scheduled, () => subscriptionRows.settle()),
  };
  reconcile(awake, sockets);
  return awake;
}
