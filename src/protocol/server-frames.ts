import { ACTIVITY_TIMEOUT_SECONDS, EVENTS } from "./constants";
import type { SocketError, SubscriptionError } from "./errors";

/**
 * Builders for every frame the server sends. Pusher's wire format puts a
 * JSON-encoded *string* in `data` (pusher-js decodes it), so each builder
 * encodes its payload exactly once.
 */
function frame(event: string, data: unknown, channel?: string): string {
  const encoded = typeof data === "string" ? data : JSON.stringify(data);
  return JSON.stringify(channel === undefined ? { event, data: encoded } : { event, channel, data: encoded });
}

export function connectionEstablished(socketId: string): string {
  return frame(EVENTS.connectionEstablished, {
    socket_id: socketId,
    activity_timeout: ACTIVITY_TIMEOUT_SECONDS,
  });
}

export function errorFrame(error: Pick<SocketError, "code" | "message">): string {
  return JSON.stringify({ event: EVENTS.error, data: { code: error.code, message: error.message } });
}

export function pong(): string {
  return frame(EVENTS.pong, {});
}

export function subscriptionSucceeded(
  channel: string,
  presence?: PresenceSnapshot,
  history?: { epoch: string; serial: number },
): string {
  const data = JSON.stringify(presence === undefined ? {} : { presence });
  // Top-level, as an event's serial is: stock clients read only `data`.
  if (history !== undefined) return JSON.stringify({ event: EVENTS.subscriptionSucceeded, channel, data, history });
  return frame(EVENTS.subscriptionSucceeded, data, channel);
}

/**
 * Sower's answer to a subscribe that asked to resume: sent after the missed
 * events, before any live one. Only a client that asked ever gets it.
 */
export function resumed(
  channel: string,
  outcome: { recovered: boolean; epoch?: string; serial?: number; missed?: number },
): string {
  return frame(EVENTS.resumed, outcome, channel);
}

export function subscriptionError(error: SubscriptionError): string {
  return JSON.stringify({
    event: EVENTS.subscriptionError,
    channel: error.channel,
    data: { type: error.type, error: error.error, status: error.status },
  });
}

export interface PresenceSnapshot {
  ids: string[];
  hash: Record<string, unknown>;
  count: number;
}

export function memberAdded(channel: string, userId: string, userInfo: unknown): string {
  return frame(EVENTS.memberAdded, { user_id: userId, user_info: userInfo ?? {} }, channel);
}

export function memberRemoved(channel: string, userId: string): string {
  return frame(EVENTS.memberRemoved, { user_id: userId }, channel);
}

export function signinSuccess(userData: string): string {
  return frame(EVENTS.signinSuccess, { user_data: userData });
}

export function subscriptionCount(channel: string, count: number): string {
  return frame(EVENTS.subscriptionCount, { subscription_count: count }, channel);
}

export function cacheMiss(channel: string): string {
  return frame(EVENTS.cacheMiss, {}, channel);
}

export interface WatchlistEvent {
  name: "online" | "offline";
  user_ids: string[];
}

export function watchlistEvents(events: WatchlistEvent[]): string {
  return frame(EVENTS.watchlistEvents, { events });
}

/**
 * A user event as subscribers see it. Server-triggered `data` is already the
 * string the backend sent and goes out untouched; client-event data is
 * relayed as the client sent it (pusher-js sends an object).
 */
export function userEvent(event: string, channel: string, data: unknown, userId?: string, serial?: number): string {
  const message: Record<string, unknown> = { event, channel, data };
  if (userId !== undefined) message.user_id = userId;
  // A top-level field: pusher-js keeps only event, channel, data and user_id, so apps never see it.
  if (serial !== undefined) message.serial = serial;
  return JSON.stringify(message);
}
