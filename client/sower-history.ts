/**
 * Recovery after a reconnect for pusher-js (and Laravel Echo's pusher
 * connector) against Sower: remembers each history channel's last serial and,
 * when pusher-js resubscribes, asks the server for what was missed. The server
 * sends the missed events in order before any live one, then `sower:resumed`.
 * No dependencies; see docs/history.md.
 *
 *   import Pusher from "pusher-js";
 *   import { withHistory } from "./sower-history";
 *   const pusher = new Pusher(key, options);
 *   const history = withHistory(pusher, { onRecovery: (r) => r.recovered || location.reload() });
 *   // Echo: withHistory(echo.connector.pusher)
 */

export interface HistoryPosition {
  readonly epoch: string;
  readonly serial: number;
}

/** What a resubscribe recovered: every missed event (`recovered`), or nothing because the gap is gone. */
export interface Recovery {
  readonly channel: string;
  readonly recovered: boolean;
  /** How many missed events were delivered (they reach the channel's bindings as usual). */
  readonly missed: number;
  /** The channel's position after the recovery, when it keeps history. */
  readonly position?: HistoryPosition;
}

export interface HistoryOptions {
  onRecovery?: (recovery: Recovery) => void;
}

export interface SowerHistory {
  /** The newest serial this client has seen on `channel`. */
  position(channel: string): HistoryPosition | undefined;
  /** The channel's position when its subscription last succeeded: fetch history up to it for no gap or overlap. */
  subscribedAt(channel: string): HistoryPosition | undefined;
}

/** The parts of pusher-js this module uses (public `send_event`, and the socket's raw messages). */
export interface PusherLike {
  send_event(event: string, data: unknown, channel?: string): boolean;
  connection: {
    bind(event: string, callback: () => void): unknown;
    /** pusher-js's current connection; its transport emits each raw frame before pusher-js drops fields. */
    connection?: { transport?: RawSource | null } | null;
  };
}

interface RawSource {
  bind(event: "message", callback: (message: { data?: unknown }) => void): unknown;
}

type Frame = Record<string, unknown>;

const RESUMED = "sower:resumed";
const SUCCEEDED = "pusher_internal:subscription_succeeded";

export function withHistory(pusher: PusherLike, options: HistoryOptions = {}): SowerHistory {
  const seen = new Map<string, { epoch: string; serial: number }>();
  const subscribed = new Map<string, HistoryPosition>();
  const listening = new WeakSet<RawSource>();

  const sendEvent = pusher.send_event.bind(pusher);
  // Carried in the subscribe itself, so no live event can slip between subscribing and resuming.
  pusher.send_event = (event, data, channel) => {
    if (isRecord(data) && typeof data.channel === "string") {
      const position = seen.get(data.channel);
      if (event === "pusher:subscribe" && position !== undefined) {
        return sendEvent(event, { ...data, resume: { ...position } }, channel);
      }
      // An unsubscribe chosen by the app ends what there is to recover.
      if (event === "pusher:unsubscribe") seen.delete(data.channel);
    }
    return sendEvent(event, data, channel);
  };

  const onFrame = (frame: Frame) => {
    const channel = frame.channel;
    if (typeof channel !== "string") return;
    const position = seen.get(channel);
    if (frame.event === SUCCEEDED && isPosition(frame.history)) {
      subscribed.set(channel, { ...frame.history });
      // A client that has seen this epoch waits for the missed events; anyone else starts here.
      if (position === undefined || position.epoch !== frame.history.epoch) seen.set(channel, { ...frame.history });
    } else if (frame.event === RESUMED) {
      const outcome = parseData(frame.data);
      const at = isPosition(outcome) ? { epoch: outcome.epoch, serial: outcome.serial } : undefined;
      if (at !== undefined) seen.set(channel, at);
      const recovered = outcome?.recovered === true;
      const missed = typeof outcome?.missed === "number" ? outcome.missed : 0;
      options.onRecovery?.({ channel, recovered, missed, ...(at === undefined ? {} : { position: at }) });
    } else if (typeof frame.serial === "number" && position !== undefined && frame.serial > position.serial) {
      position.serial = frame.serial;
    }
  };

  const listen = () => {
    const transport = pusher.connection.connection?.transport;
    if (transport == null || listening.has(transport)) return;
    listening.add(transport);
    transport.bind("message", (message) => {
      const frame = parseData(message.data);
      if (frame !== undefined) onFrame(frame);
    });
  };
  // pusher-js resubscribes on "connected" before this runs; the answers arrive later, on this listener.
  pusher.connection.bind("connected", listen);
  listen();

  return {
    position: (channel) => copy(seen.get(channel)),
    subscribedAt: (channel) => copy(subscribed.get(channel)),
  };
}

function copy(position: HistoryPosition | undefined): HistoryPosition | undefined {
  return position === undefined ? undefined : { epoch: position.epoch, serial: position.serial };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isPosition(value: unknown): value is HistoryPosition {
  return isRecord(value) && typeof value.epoch === "string" && typeof value.serial === "number";
}

function parseData(data: unknown): Frame | undefined {
  if (typeof data !== "string") return isRecord(data) ? data : undefined;
  try {
    const value: unknown = JSON.parse(data);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
