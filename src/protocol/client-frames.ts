import { isRecord } from "../lib/json";
import { err, ok, type Result } from "../lib/result";
import { clip, utf8Length } from "../lib/text";
import { CLIENT_EVENT_PREFIX, EVENTS, PUSHER_EVENT_PREFIX } from "./constants";
import { frameError, type SocketError } from "./errors";
import { DEFAULT_FRAME_LIMITS, type FrameLimits } from "./socket-limits";

/** Every frame a client may send, parsed and checked for shape (not for permission). */
export type ClientFrame =
  | {
      kind: "subscribe";
      channel: string;
      auth: string;
      channelData: string | undefined;
      /** Sower's own: the history position a returning subscriber last saw (docs/protocol.md §15). */
      resume?: ResumePosition;
    }
  | { kind: "unsubscribe"; channel: string }
  | { kind: "ping" }
  | { kind: "pong" }
  | { kind: "signin"; auth: string; userData: string }
  | { kind: "client-event"; event: string; channel: string; data: unknown };

export interface ResumePosition {
  readonly epoch: string;
  readonly serial: number;
}

/**
 * Turns raw socket text into a ClientFrame. Some clients send `data` as a
 * JSON-encoded string rather than an object, so pusher: frames accept both.
 * `limits` are the app's (frameLimits); without them, Pusher's defaults.
 */
export function parseClientFrame(
  raw: string | ArrayBuffer,
  limits: FrameLimits = DEFAULT_FRAME_LIMITS,
): Result<ClientFrame, SocketError> {
  if (typeof raw !== "string") return err(frameError("Binary frames are not supported"));
  if (utf8Length(raw) > limits.frameBytes) {
    return err(frameError(`Frame is larger than ${limits.frameBytes} bytes`));
  }
  let envelope: unknown;
  try {
    envelope = JSON.parse(raw);
  } catch {
    return err(frameError("Frame is not valid JSON"));
  }
  if (!isRecord(envelope)) return err(frameError("Frame must be a JSON object"));
  const { event } = envelope;
  if (typeof event !== "string" || event.length === 0) {
    return err(frameError("Frame has no event name"));
  }
  if (event.startsWith(CLIENT_EVENT_PREFIX)) return parseClientEvent(event, envelope, limits.eventNameLength);
  if (!event.startsWith(PUSHER_EVENT_PREFIX)) {
    return err(frameError(`Unknown event '${clip(event)}': client events must start with 'client-'`));
  }
  const data = decodeData(envelope.data);
  switch (event) {
    case EVENTS.ping:
      return ok({ kind: "ping" });
    case EVENTS.pong:
      return ok({ kind: "pong" });
    case EVENTS.subscribe:
      return parseSubscribe(data);
    case EVENTS.unsubscribe: {
      const channel = isRecord(data) ? data.channel : undefined;
      if (typeof channel !== "string") return err(frameError("pusher:unsubscribe needs data.channel"));
      return ok({ kind: "unsubscribe", channel });
    }
    case EVENTS.signin:
      return parseSignin(data);
    default:
      return err(frameError(`Unsupported event '${clip(event)}'`));
  }
}

function parseSubscribe(data: unknown): Result<ClientFrame, SocketError> {
  if (!isRecord(data) || typeof data.channel !== "string") {
    return err(frameError("pusher:subscribe needs data.channel"));
  }
  const { auth, channel_data: channelData } = data;
  if (auth !== undefined && auth !== null && typeof auth !== "string") {
    return err(frameError("pusher:subscribe data.auth must be a string"));
  }
  if (channelData !== undefined && channelData !== null && typeof channelData !== "string") {
    return err(frameError("pusher:subscribe data.channel_data must be a JSON string"));
  }
  const subscribe = {
    kind: "subscribe",
    channel: data.channel,
    auth: auth ?? "",
    channelData: channelData ?? undefined,
  };
  if (data.resume === undefined || data.resume === null) return ok({ ...subscribe, kind: "subscribe" });
  const resume = parseResume(data.resume);
  if (resume === undefined) {
    return err(frameError("pusher:subscribe data.resume must be {epoch: string, serial: whole number >= 0}"));
  }
  return ok({ ...subscribe, kind: "subscribe", resume });
}

function parseResume(value: unknown): ResumePosition | undefined {
  if (!isRecord(value)) return undefined;
  const { epoch, serial } = value;
  if (typeof epoch !== "string" || epoch.length === 0 || epoch.length > 100) return undefined;
  if (!Number.isSafeInteger(serial) || Number(serial) < 0) return undefined;
  return { epoch, serial: Number(serial) };
}

function parseSignin(data: unknown): Result<ClientFrame, SocketError> {
  if (!isRecord(data) || typeof data.auth !== "string" || typeof data.user_data !== "string") {
    return err(frameError("pusher:signin needs data.auth and data.user_data strings"));
  }
  return ok({ kind: "signin", auth: data.auth, userData: data.user_data });
}

function parseClientEvent(
  event: string,
  envelope: Record<string, unknown>,
  maxNameLength: number,
): Result<ClientFrame, SocketError> {
  const { channel, data } = envelope;
  if (typeof channel !== "string" || channel.length === 0) {
    return err(frameError("Client events need a channel"));
  }
  if (event.length > maxNameLength) {
    return err(frameError(`Event name is longer than ${maxNameLength} characters`));
  }
  return ok({ kind: "client-event", event, channel, data });
}

function decodeData(data: unknown): unknown {
  if (typeof data !== "string") return data;
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}
