import { escapedJsonBytes, LIMITS } from "./constants";

/** The app limits a socket's frames are measured against; a structural slice of the app's limits. */
export interface SocketLimitOptions {
  readonly maxEventPayloadBytes: number;
  readonly maxEventNameLength: number;
  readonly maxChannelNameLength: number;
  readonly maxClientEventsPerSecond: number;
}

/** What parseClientFrame checks before and while it parses. */
export interface FrameLimits {
  readonly frameBytes: number;
  readonly eventNameLength: number;
}

/**
 * The largest legal client frame for these limits: the data, event name and
 * channel name each escaped at their worst, plus the envelope; never below
 * the 64 KiB Sower has always taken. At Pusher's defaults that is 64,648
 * bytes, under the floor.
 */
export function frameLimits(options: SocketLimitOptions): FrameLimits {
  const strings = options.maxEventPayloadBytes + options.maxEventNameLength + options.maxChannelNameLength;
  return {
    frameBytes: Math.max(LIMITS.frameBytes, escapedJsonBytes(strings)),
    eventNameLength: options.maxEventNameLength,
  };
}

/** Limits for a parser that knows no app: Pusher's defaults. */
export const DEFAULT_FRAME_LIMITS: FrameLimits = {
  frameBytes: LIMITS.frameBytes,
  eventNameLength: LIMITS.eventNameLength,
};

/**
 * The most frames of any kind one socket may send in a one-second window:
 * past it the socket is closed. 20 times the app's client event rate (200 at
 * Pusher's default of 10), never fewer than 200.
 */
export function frameCeiling(options: Pick<SocketLimitOptions, "maxClientEventsPerSecond">): number {
  return Math.max(LIMITS.minFloodFrames, LIMITS.floodFactor * options.maxClientEventsPerSecond);
}
