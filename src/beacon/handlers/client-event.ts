import { utf8Length } from "../../lib/text";
import { log } from "../../log";
import { parseChannelName } from "../../protocol/channels";
import { CLIENT_EVENT_REJECTED } from "../../protocol/errors";
import * as frames from "../../protocol/server-frames";
import { type HistoryState, recordIfHistoryChannel } from "../changes/history";
import { relayNumbered, storesClientEvents } from "../changes/shard-history";
import { relayToHub } from "../changes/shard-hubs";
import type { ChannelIndex } from "../state/channel-index";
import type { Connection, Handled } from "../state/connection";
import type { Connections } from "../state/connections";
import type { ConsoleState } from "../state/console-feed";
import type { HubLinks } from "../state/hub-links";
import type { WebhookQueue } from "../webhooks/queue";

/** A client event is relayed and reported; it changes nothing else. */
export interface ClientEventState extends HistoryState, ConsoleState {
  readonly channels: ChannelIndex;
  readonly connections: Connections;
  readonly webhooks: WebhookQueue;
  readonly links?: HubLinks;
}

export interface ClientEvent {
  event: string;
  channel: string;
  data: unknown;
}

/**
 * Relays a `client-*` event to the channel's other subscribers. Every
 * refusal is a `pusher:error` 4301, at most a few a second (the rest are
 * silent), and the socket stays open: closing with a 43xx code would make
 * pusher-js give up for good (docs/protocol.md §4.3). Only a socket far past
 * any limit is closed, before its frames get here (receive.ts).
 */
export function handleClientEvent(
  state: ClientEventState,
  connection: Connection,
  message: ClientEvent,
  now: number,
): Handled {
  const refusal = refuse(state, connection, message, now);
  if (refusal !== undefined) {
    connection.refuse({ code: CLIENT_EVENT_REJECTED, message: refusal }, now);
    if (state.console.open) {
      state.console.emit({
        kind: "refused",
        at: now,
        socket: connection.id,
        channel: message.channel,
        message: refusal,
      });
    }
    return;
  }
  const presenceUserId = connection.channels.get(message.channel) ?? undefined;
  const entry = {
    name: message.event,
    data: message.data,
    ...(presenceUserId === undefined ? {} : { userId: presenceUserId }),
  };
  // On a shard, a channel that stores client events has them numbered by its hub before anyone gets them.
  if (onShard(state) && storesClientEvents(state.app, message.channel)) {
    reportClientEvent(state, connection, message, presenceUserId, now);
    return relayNumbered(state, connection, message.channel, entry);
  }
  const serial = recordIfHistoryChannel(state, message.channel, entry, "client", now);
  const frame = frames.userEvent(message.event, message.channel, message.data, presenceUserId, serial);
  state.channels.broadcast(message.channel, frame, connection);
  reportClientEvent(state, connection, message, presenceUserId, now);
  // On a shard the channel's other shards get it through its hub.
  if (state.links !== undefined) return relayToHub(state.app, state.links, message.channel, frame);
}

function onShard(state: ClientEventState): state is ClientEventState & { readonly links: HubLinks } {
  return state.links !== undefined;
}

/** The sender's shard reports a client event, whoever relays it: to the consoles and as a webhook. */
function reportClientEvent(
  state: ClientEventState,
  connection: Connection,
  message: ClientEvent,
  presenceUserId: string | undefined,
  now: number,
): void {
  if (state.console.open) {
    const { event, channel, data } = message;
    state.console.emit({ kind: "client_event", at: now, socket: connection.id, channel, event, bytes: sizeOf(data) });
  }
  state.webhooks.queue({
    name: "client_event",
    channel: message.channel,
    event: message.event,
    data: message.data,
    socketId: connection.id,
    ...(presenceUserId === undefined ? {} : { userId: presenceUserId }),
  });
}

function refuse(
  state: ClientEventState,
  connection: Connection,
  message: ClientEvent,
  now: number,
): string | undefined {
  if (!state.app.enableClientMessages) return "Client events are not enabled for this app";
  const channel = parseChannelName(message.channel, state.app.limits.maxChannelNameLength);
  if (!channel.ok) return channel.error;
  if (channel.value.kind === "encrypted") {
    // The server never holds the channel's key, so it could not vouch for what a client sent.
    return `Client events are not supported on encrypted channels ('${message.channel}')`;
  }
  if (channel.value.kind !== "private" && channel.value.kind !== "presence") {
    return `Client events are only allowed on private and presence channels, not on '${message.channel}'`;
  }
  if (!connection.channels.has(message.channel)) {
    return `Client event rejected: not subscribed to '${message.channel}'`;
  }
  const { maxEventPayloadBytes, maxClientEventsPerSecond } = state.app.limits;
  const size = sizeOf(message.data);
  if (size > maxEventPayloadBytes) return `Client event data is larger than ${maxEventPayloadBytes} bytes`;
  // Counted last, so refused events do not spend the socket's allowance.
  const verdict = connection.allowClientEvent(maxClientEventsPerSecond, now);
  if (verdict === "allowed") return undefined;
  // Once per socket and second, so a flood cannot flood the logs.
  if (verdict === "first refusal") {
    log("warn", "client event rate limit reached", {
      app: state.app.id,
      socket: connection.id,
      limit: maxClientEventsPerSecond,
    });
  }
  return `Client event rate limit reached: at most ${maxClientEventsPerSecond} per second`;
}

/** String data is measured as sent, the way Pusher measures a backend event's data. */
function sizeOf(data: unknown): number {
  return data === undefined ? 0 : utf8Length(typeof data === "string" ? data : JSON.stringify(data));
}
