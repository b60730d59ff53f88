import type { AppLimits } from "../config/app";
import type { PublishEvent } from "../contract/rpc";
import { isRecord } from "../lib/json";
import { err, ok, type Result } from "../lib/result";
import { utf8Length } from "../lib/text";
import { INTERNAL_EVENT_PREFIX, PUSHER_EVENT_PREFIX } from "../protocol/constants";
import { type RestError, restError } from "../protocol/rest";
import { SOCKET_ID_PATTERN } from "../protocol/socket-id";
import { parseRestChannel } from "./channel-name";
import { parseInfoAttributes, userCountRefusal } from "./info-attributes";

/**
 * `/events` takes `channel` or `channels`; each `/batch_events` entry takes
 * one `channel` (api "POST batch events").
 */
export type EventShape = "events" | "batch";

/**
 * One event of `POST /events` or `/batch_events`, checked against the app's
 * limits: 400 for a bad value or too many channels (as soketi and its forks
 * answer), 413 only for too much data.
 */
export function parsePublishEvent(
  value: unknown,
  limits: AppLimits,
  shape: EventShape,
): Result<PublishEvent, RestError> {
  const bad = (message: string) => err(restError(400, message));
  if (!isRecord(value)) return bad("An event must be a JSON object");

  const { name, data, socket_id: socketId } = value;
  if (typeof name !== "string" || name.length === 0) return bad("name must be a non-empty string");
  if (name.length > limits.maxEventNameLength) {
    return bad(`Event name is longer than ${limits.maxEventNameLength} characters`);
  }
  // pusher-js acts on these itself (a forged subscription_succeeded or member_added
  // would corrupt its state); Pusher refuses them too.
  if (name.startsWith(PUSHER_EVENT_PREFIX) || name.startsWith(INTERNAL_EVENT_PREFIX)) {
    return bad(
      `Event names starting with '${PUSHER_EVENT_PREFIX}' or '${INTERNAL_EVENT_PREFIX}' are reserved for the protocol`,
    );
  }

  const listed = channelList(value, shape);
  if (!listed.ok) return listed;
  const names = [...new Set(listed.value)];
  if (names.length === 0) return bad("channels must name at least one channel");
  if (names.length > limits.maxEventChannelsAtOnce) {
    return bad(`An event may go to at most ${limits.maxEventChannelsAtOnce} channels`);
  }
  const channels = [];
  for (const channel of names) {
    const parsed = parseRestChannel(channel, limits.maxChannelNameLength);
    if (!parsed.ok) return parsed;
    channels.push(parsed.value);
  }
  // Each encrypted channel has its own key, so one ciphertext cannot serve several channels (the SDKs refuse it too).
  if (channels.length > 1 && channels.some((channel) => channel.kind === "encrypted")) {
    return bad("An event for an encrypted channel must be triggered on that channel alone");
  }

  if (data === undefined) return bad("data is required");
  if (typeof data !== "string") {
    return bad("data must be a string: JSON-encode objects before sending them, as the Pusher SDKs do");
  }
  const size = utf8Length(data);
  if (size > limits.maxEventPayloadBytes) {
    return err(restError(413, `Event data is ${size} bytes; at most ${limits.maxEventPayloadBytes} bytes are allowed`));
  }

  if (socketId !== undefined && socketId !== null) {
    if (typeof socketId !== "string" || !SOCKET_ID_PATTERN.test(socketId)) {
      return bad("socket_id must be a socket id such as 123.456");
    }
  }

  const info = parseInfoAttributes(value.info);
  if (!info.ok) return info;
  if (info.value?.userCount) {
    const notPresence = channels.find((channel) => channel.kind !== "presence");
    if (notPresence !== undefined) return err(userCountRefusal(notPresence.name));
  }

  return ok({
    name,
    data,
    channels: names,
    ...(typeof socketId === "string" ? { socketId } : {}),
    ...(info.value !== undefined ? { info: info.value } : {}),
  });
}

function channelList(value: Record<string, unknown>, shape: EventShape): Result<string[], RestError> {
  const bad = (message: string) => err(restError(400, message));
  const { channel, channels } = value;
  if (shape === "batch") {
    if (channels !== undefined) return bad("A batch event names one channel, in channel (not channels)");
    if (typeof channel !== "string") return bad("channel must be a string");
    return ok([channel]);
  }
  if (channel !== undefined && channels !== undefined) return bad("Give either channel or channels, not both");
  if (channel !== undefined) {
    return typeof channel === "string" ? ok([channel]) : bad("channel must be a string");
  }
  if (!Array.isArray(channels)) return bad("channels must be an array of channel names (or give one channel)");
  const names: string[] = [];
  for (const name of channels) {
    if (typeof name !== "string") return bad("channels must hold only strings");
    names.push(name);
  }
  return ok(names);
}
