/** What the coordinator and the client threads say to each other. */

/** One subscription of one socket; presence subscriptions carry the member's id. */
export interface Subscription {
  channel: string;
  presenceUserId?: string;
}

/** A socket's `pusher:signin`: who it is and whom it watches. */
export interface SignIn {
  userId: string;
  watchlist: string[];
}

export type Command =
  | { op: "open"; origin: string; key: string; count: number; deflate: boolean }
  | { op: "subscribe"; plans: Subscription[][] }
  | { op: "reset" }
  | { op: "counts" }
  | { op: "clientEvents"; channels: string[]; firstSender: number; ratePerSecond: number; durationMs: number }
  | { op: "unsubscribe"; plans: Subscription[][] }
  | { op: "signIn"; plans: Array<SignIn | null> }
  | { op: "flood"; channel: string; ratePerSecond: number | null; durationMs: number }
  | { op: "collect" }
  | { op: "close" };

export type Counter = "deliveries" | "memberAdded" | "memberRemoved";

/** A command as posted to a thread, with the id its reply carries back. */
export interface Envelope<T> {
  id: number;
  body: T;
}

export interface OpenResult {
  connectMs: number[];
  failures: number;
  deflateNegotiated: number;
}

export interface SignInResult {
  failures: number;
}

export interface SubscribeResult {
  subscribeMs: number[];
  failures: number;
}

/** Counters so far, each with the monotonic time (ms) of its latest increment. */
export type Counts = Record<Counter, { count: number; lastAtMs: number }>;

export interface ClientEventsResult {
  sent: number;
}

/** What one flooding socket sent, and how the server treated it. */
export interface FloodResult {
  sent: number;
  /** When the flooder saw the server's close frame (its socket left OPEN), after the flood began, and frames sent by then. */
  closedAfterMs: number | null;
  sentBeforeClose: number;
  /** The code the server closed with, once the close completed. */
  closeCode: number | null;
  /** Frames and bytes the flooder received, and how many were `pusher:error`. */
  received: number;
  receivedBytes: number;
  errorFrames: number;
  /** The last error frame received, for the report. */
  lastError: string | null;
}

export interface DeliveryStats {
  /** Publish-to-receive latency of every delivery, in ms. */
  latencies: Float64Array;
  /** Per published event (`lane:seq`): publish-to-receive latency of its first and last delivery, in ms. */
  firstLast: Array<[string, number, number]>;
  unique: number;
  duplicates: number;
  reordered: number;
  errors: number;
  errorSamples: string[];
  /** This thread's event-loop utilisation since the last reset (1 = saturated). */
  utilisation: number;
}

/**
 * One clock for every thread: process.hrtime is monotonic and shared by the
 * process, unlike performance.now(), whose origin differs per worker thread.
 */
export function nowMs(): number {
  const [seconds, nanoseconds] = process.hrtime();
  return seconds * 1e3 + nanoseconds / 1e6;
}

/** The payload of every bench event: lane (publisher), sequence, send time. */
export interface Stamp {
  l: number;
  s: number;
  t: number;
}

export function stamp(lane: number, seq: number, padding: string): Stamp & { p: string } {
  return { l: lane, s: seq, t: nowMs(), p: padding };
}
