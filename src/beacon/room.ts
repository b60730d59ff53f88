import type { App } from "../config/app";
import * as frames from "../protocol/server-frames";
import { readAttachment } from "./attachment";
import { ChannelCache } from "./cache";
import { ChannelIndex } from "./channel-index";
import { Connection } from "./connection";
import type { DueWork } from "./due-work";
import { PresenceRoster } from "./presence";
import type { Gauges, Stats } from "./stats";
import { subscriptionCountChanged } from "./subscription-count";
import type { SubscriptionRows } from "./subscription-rows";
import { restoreUsers, UserIndex, UserSessions } from "./users";
import { WatchlistIndex } from "./watchlist";
import type { WebhookQueue } from "./webhooks/queue";

/**
 * An app's live state while its Beacon is awake. It is only a cache: every
 * fact in it is rebuilt from socket attachments and SQLite on wake.
 */
export class Room {
  readonly connections = new Map<string, Connection>();
  readonly channels: ChannelIndex;
  readonly presence = new PresenceRoster();
  readonly users = new UserIndex();
  readonly watchlist = new WatchlistIndex();
  readonly sessions: UserSessions;
  readonly cache: ChannelCache;
  private readonly bySocket = new WeakMap<WebSocket, Connection>();

  constructor(
    readonly app: App,
    readonly subscriptionRows: SubscriptionRows,
    sql: SqlStorage,
    readonly dueWork: DueWork,
    readonly webhooks: WebhookQueue,
    readonly stats?: Stats,
  ) {
    this.channels = new ChannelIndex(stats);
    this.sessions = new UserSessions(sql);
    this.cache = new ChannelCache(sql);
  }

  /**
   * Rebuilds the indexes after a wake-up and reconciles: rows left by sockets
   * that vanished while the object slept are removed, and presence members
   * and channels that only they held are announced as gone.
   */
  static restore(
    app: App,
    subscriptionRows: SubscriptionRows,
    sql: SqlStorage,
    dueWork: DueWork,
    sockets: WebSocket[],
    webhooks: WebhookQueue,
    stats?: Stats,
  ): Room {
    const room = new Room(app, subscriptionRows, sql, dueWork, webhooks, stats);
    for (const ws of sockets) {
      const attachment = readAttachment(ws);
      if (attachment !== undefined) room.track(new Connection(ws, attachment));
    }
    const vanished = new Map<string, Set<string>>();
    const staleSockets = new Set<string>();
    const vanishedFrom = new Set<string>();
    for (const row of subscriptionRows.all()) {
      const connection = room.connections.get(row.socketId);
      if (connection === undefined) {
        staleSockets.add(row.socketId);
        vanishedFrom.add(row.channel);
        if (row.userId !== null) addTo(vanished, row.channel, row.userId);
        continue;
      }
      connection.channels.set(row.channel, row.userId);
      room.channels.add(row.channel, connection);
      if (row.userId !== null) {
        room.presence.join(row.channel, row.userId, parseInfo(row.userInfo), connection.id);
      }
    }
    for (const socketId of staleSockets) subscriptionRows.removeSocket(socketId);
    for (const channel of vanishedFrom) subscriptionCountChanged(room, channel, Date.now());
    for (const [channel, userIds] of vanished) {
      for (const userId of userIds) {
        if (!room.presence.isMember(channel, userId)) {
          room.channels.broadcast(channel, frames.memberRemoved(channel, userId));
          webhooks.queue({ name: "member_removed", channel, userId });
        }
      }
    }
    for (const channel of vanishedFrom) {
      if (room.channels.count(channel) === 0) webhooks.queue({ name: "channel_vacated", channel });
    }
    restoreUsers(room);
    return room;
  }

  track(connection: Connection): void {
    this.connections.set(connection.id, connection);
    this.bySocket.set(connection.ws, connection);
  }

  /** What is live right now, for the app's statistics. */
  gauges(): Gauges {
    let channels = 0;
    let presenceMembers = 0;
    for (const channel of this.channels.names()) {
      channels++;
      presenceMembers += this.presence.memberCount(channel);
    }
    return { connections: this.connections.size, channels, presenceMembers };
  }

  /**
   * Only sockets still in the room: one removed by terminate_connections may
   * deliver a last frame or two before its close arrives, and must not be
   * served (or re-subscribed) meanwhile.
   */
  connectionFor(ws: WebSocket): Connection | undefined {
    const known = this.bySocket.get(ws);
    if (known !== undefined) return this.connections.get(known.id) === known ? known : undefined;
    const attachment = readAttachment(ws);
    const connection = attachment && this.connections.get(attachment.socketId);
    if (connection !== undefined) this.bySocket.set(ws, connection);
    return connection;
  }
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key);
  if (set === undefined) map.set(key, new Set([value]));
  else set.add(value);
}

function parseInfo(json: string | null): unknown {
  if (json === null) return {};
  try {
    return JSON.parse(json);
  } catch {
    return {};
  }
}
