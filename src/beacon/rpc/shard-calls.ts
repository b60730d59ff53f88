import type { WebhookAttempt } from "../../contract/console";
import type { HubFrame, ShardChannels, ShardEvent } from "../../contract/hub-rpc";
import { classifyChannel } from "../../protocol/channels";
import * as frames from "../../protocol/server-frames";
import { deliverNumbered } from "../changes/shard-history";
import { reportSoon, type ShardState } from "../changes/shard-hubs";
import type { Connections } from "../state/connections";
import type { ConsoleState } from "../state/console-feed";
import type { HubCounts } from "../state/hub-tally";
import type { PresenceRoster } from "../state/presence-roster";
import type { Stats, WebhookOutcome } from "../state/stats";
import type { AttemptLog, WebhookMeter } from "../webhooks/delivery";
import { fanOut, showEvent } from "./publish";

/** What the Worker and the hubs ask of a shard: its sockets and channels, and its statistics. */
export interface ShardCallState extends ShardState, ConsoleState {
  readonly connections: Connections;
  readonly presence: PresenceRoster;
  readonly meter: WebhookMeter & Pick<Stats, "count" | "apiCall">;
  readonly attempts: AttemptLog;
}

/**
 * A publish, from the Worker, of the events whose channels this shard has
 * subscribers of (the hubs said so). Answers each channel's subscribers
 * here, which the Worker adds up for `subscription_count`. A channel with
 * none left here was named by a hub that has not heard so yet: it hears now.
 * A history channel's events go out in serial order (changes/shard-history.ts);
 * the answer waits for a gap among them to be filled. The event's console
 * line is shown by the one shard the Worker gave its every channel to.
 */
export async function deliver(state: ShardCallState, events: readonly ShardEvent[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const fills: Array<Promise<void>> = [];
  const now = Date.now();
  for (const event of events) {
    const { serials, shown } = event;
    if (shown !== undefined && state.console.open) showEvent(state.console, { ...event, channels: shown }, now);
    if (serials === undefined) fanOut(state, event);
    else {
      event.channels.forEach((channel, index) => {
        const serial = serials[index] ?? null;
        if (serial === null) fanOut(state, { ...event, channels: [channel] });
        else {
          const frame = frames.userEvent(event.name, channel, event.data, undefined, serial);
          const except = event.socketId === undefined ? {} : { except: event.socketId };
          const filling = deliverNumbered(state, channel, { serial, frame, ...except });
          if (filling !== undefined) fills.push(filling);
        }
      });
    }
    for (const channel of event.channels) counts.set(channel, state.channels.count(channel));
  }
  for (const [channel, count] of counts) if (count === 0) correctHub(state, channel);
  await Promise.all(fills);
  return counts;
}

/**
 * A frame from a channel's hub (a presence notice, another shard's client
 * event, a count). Joins in flight here keep it for their socket; sockets
 * whose join answer already reflected it are skipped.
 */
export function hubFrame(state: ShardCallState, message: HubFrame): Promise<void> | undefined {
  if (message.serial !== undefined) {
    const { serial, frame } = message;
    const delivered = deliverNumbered(state, message.channel, {
      serial,
      frame,
      ...(message.except === undefined ? {} : { except: message.except }),
    });
    if (state.channels.count(message.channel) === 0) correctHub(state, message.channel);
    return delivered;
  }
  const skip = state.links.arrived(message.channel, message.seq, message.frame, message.except);
  const except = message.except === undefined ? undefined : state.connections.get(message.except);
  state.channels.broadcast(message.channel, message.frame, except, skip);
  if (state.channels.count(message.channel) === 0) correctHub(state, message.channel);
  return undefined;
}

/** A frame for given sockets (watchlist notices from a user's hub); those no longer here are gone. */
export function socketFrame(state: ShardCallState, socketIds: readonly string[], frame: string): void {
  for (const socketId of socketIds) state.connections.get(socketId)?.send(frame);
}

/** `GET /channels`, this shard's part: its occupied channels, their subscribers, and presence users. */
export function occupied(state: ShardCallState, prefix: string, users: boolean): ShardChannels {
  const channels: ShardChannels = new Map();
  for (const channel of state.channels.names()) {
    if (!channel.startsWith(prefix)) continue;
    const subscribers = state.channels.count(channel);
    const presence = users && classifyChannel(channel).kind === "presence";
    channels.set(channel, presence ? { subscribers, users: state.presence.userIds(channel) } : { subscribers });
  }
  return channels;
}

/**
 * Webhooks a hub delivered (or retried, or gave up on): hubs keep no
 * statistics, so the app's first shard counts them for the app, and keeps
 * the hub's latest attempts beside its own.
 */
export function countWebhooks(
  state: ShardCallState,
  outcomes: Readonly<Record<WebhookOutcome, number>>,
  attempts: readonly WebhookAttempt[],
): void {
  for (const [outcome, events] of Object.entries(outcomes)) {
    if (isOutcome(outcome) && events > 0) state.meter.countWebhook(outcome, events);
  }
  for (const attempt of attempts) state.attempts.record(attempt);
}

/**
 * What a hub counted (the history it stored and pruned, the REST triggers
 * it routed as their first channel's): counted here for the app, as its
 * webhooks are.
 */
export function countHubFigures(state: ShardCallState, counts: Readonly<HubCounts>): void {
  for (const [counter, amount] of Object.entries(counts)) {
    if (!(amount > 0)) continue;
    if (counter === "api_calls") state.meter.apiCall(amount);
    else if (isHubCounter(counter)) state.meter.count(counter, amount);
  }
}

function isHubCounter(value: string): value is "history_stored" | "history_pruned" | "messages_in" | "bytes_in" {
  return value === "history_stored" || value === "history_pruned" || value === "messages_in" || value === "bytes_in";
}

function isOutcome(value: string): value is WebhookOutcome {
  return value === "delivered" || value === "retrying" || value === "failed";
}

/** Unless a join is on its way, the hub is told this shard holds none of the channel. */
function correctHub(state: ShardCallState, channel: string): void {
  if (state.links.joining(channel, true).length === 0) reportSoon(state, channel);
}
