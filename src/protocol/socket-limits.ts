import { LIMITS } from "./constants";

/** The app limits a socket's frames are measured against; a structural slice of the app's limits. */
export interface SocketLimitOptions {
  readonly maxClientEventsPerSecond: number;
}

/**
 * The most frames of any kind one socket may send in a one-second window:
 * past it the socket is closed. 20 times the app's client event rate (200 at
 * Pusher's default of 10), never fewer than 200.
 */
export function frameCeiling(options: Pick<SocketLimitOptions, "maxClientEventsPerSecond">): number {
  return Math.max(LIMITS.minFloodFrames, LIMITS.floodFactor * options.maxClientEventsPerSecond);
}
