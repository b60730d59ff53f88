/** Wire names and protocol limits. Everything the wire fixes lives here. */

export const PROTOCOL_VERSION = 7;
/** Seconds; pusher-js pings after min(120 s, this) of silence (docs/protocol.md §1.3). */
export const ACTIVITY_TIMEOUT_SECONDS = 120;

export const EVENTS = {
  connectionEstablished: "pusher:connection_established",
  error: "pusher:error",
  ping: "pusher:ping",
  pong: "pusher:pong",
  subscribe: "pusher:subscribe",
  unsubscribe: "pusher:unsubscribe",
  signin: "pusher:signin",
  signinSuccess: "pusher:signin_success",
  subscriptionError: "pusher:subscription_error",
  cacheMiss: "pusher:cache_miss",
  subscriptionSucceeded: "pusher_internal:subscription_succeeded",
  memberAdded: "pusher_internal:member_added",
  memberRemoved: "pusher_internal:member_removed",
  subscriptionCount: "pusher_internal:subscription_count",
  watchlistEvents: "pusher_internal:watchlist_events",
  // Sower's own (docs/protocol.md §15): the answer to a subscribe that asked to resume.
  resumed: "sower:resumed",
} as const;

export const CLIENT_EVENT_PREFIX = "client-";
export const PUSHER_EVENT_PREFIX = "pusher:";
export const INTERNAL_EVENT_PREFIX = "pusher_internal:";

/**
 * The exact bytes pusher-js sends as its keep-alive. The runtime answers this
 * string itself (setWebSocketAutoResponse), so a hibernating object never wakes
 * for it; any other spelling reaches code.
 */
export const PUSHER_JS_PING = '{"event":"pusher:ping","data":{}}';
export const PONG_FRAME = '{"event":"pusher:pong","data":{}}';

/** Pusher's published limits (docs/protocol.md §14); apps may lower or raise some. */
export const LIMITS = {
  channelNameLength: 164,
  eventNameLength: 200,
  eventDataBytes: 10 * 1024,
  channelsPerSocket: 100,
  presenceMembers: 100,
  presenceUserInfoBytes: 1024,
  userIdLength: 128,
  clientEventsPerSecond: 10,
  channelsPerTrigger: 100,
  eventsPerBatch: 10,
  watchlistSize: 100,
  /** How long a cache channel keeps its last server event (Pusher: 30 minutes). */
  cacheTtlSeconds: 30 * 60,
  /**
   * A frame larger than any legal one is refused before it is parsed; an app
   * whose limits allow larger frames gets a larger cap (see socket-limits.ts).
   */
  frameBytes: 64 * 1024,
  /**
   * A socket is closed when its frames of any kind in one second pass this
   * many times the app's client event rate (docs/protocol.md §8.5): Ably
   * closes a connection publishing about 20 times its permitted rate.
   */
  floodFactor: 20,
  /** ...and never below this many: a reconnecting client resubscribes to up to 100 channels at once. */
  minFloodFrames: 200,
  /** Error frames one socket is sent per one-second window; past them refusals are silent. */
  errorFramesPerSecond: 10,
} as const;

/**
 * The most bytes `strings` characters can take inside a JSON message: JSON can
 * escape one byte as six (`\u0000`), and the envelope's keys, quotes and
 * braces get room to spare. Both socket frames and REST bodies are capped
 * with it, so a legal message is never refused for how it was escaped.
 */
export function escapedJsonBytes(strings: number): number {
  return 6 * strings + 1024;
}
