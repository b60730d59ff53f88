import { EVENTS } from "../src/protocol/constants.ts";
import { decodeData, type Frame, isObject, type SoakSocket } from "./load/soak-socket.ts";
import { Roster } from "./roster.ts";

/** What the backend triggers to every honest channel, and what one honest socket sends the others. */
export const HONEST_EVENT = "honest";
export const CLIENT_EVENT = "client-honest";

/** Faults the honest sockets saw, summed over the run; every one of them must be 0. */
export interface HonestTally {
  /** Deliveries that should have arrived (events published times their subscribers). */
  expected: number;
  delivered: number;
  lost: number;
  duplicates: number;
  reordered: number;
  /** A member added twice or removed while absent, or a roster that ended wrong. */
  rosterFaults: number;
  unexpectedCloses: number;
  /** `pusher:error` or `pusher:subscription_error` on an honest socket. */
  errorFrames: number;
  /** Triggers the HTTP API did not answer 200. */
  failedTriggers: number;
}

interface Stream {
  last: number;
  seen: Set<number>;
}

/** The channels every honest socket holds; presence members are users honest-0, honest-1, ... */
export interface HonestChannels {
  public: string;
  private: string;
  presence: string;
  cache: string;
}

export function honestChannels(tag: string): HonestChannels {
  return {
    public: `soak-public-${tag}`,
    private: `private-soak-${tag}`,
    presence: `presence-soak-${tag}`,
    cache: `cache-soak-${tag}`,
  };
}

/** Two sockets per user, so a user stays a member while one of their sockets churns. */
export function honestUser(index: number): string {
  return `honest-${Math.floor(index / 2)}`;
}

export class HonestSocket {
  readonly streams = new Map<string, Stream>();
  readonly roster = new Roster();
  readonly socket: SoakSocket;
  readonly userId: string;
  private readonly tally: HonestTally;
  private readonly channels: HonestChannels;

  constructor(socket: SoakSocket, userId: string, tally: HonestTally, channels: HonestChannels) {
    this.socket = socket;
    this.userId = userId;
    this.tally = tally;
    this.channels = channels;
    socket.onFrame = (frame) => this.receive(frame);
  }

  private receive(frame: Frame): void {
    if (frame.event === EVENTS.error || frame.event === EVENTS.subscriptionError) {
      this.tally.errorFrames++;
      return;
    }
    if (frame.channel === this.channels.presence && this.roster.apply(frame) === "fault") this.tally.rosterFaults++;
    if (frame.event !== HONEST_EVENT && frame.event !== CLIENT_EVENT) return;
    const data = decodeData(frame);
    const seq = isObject(data) && typeof data.s === "number" ? data.s : -1;
    const key = `${frame.channel}|${frame.event}`;
    let stream = this.streams.get(key);
    if (stream === undefined) {
      stream = { last: -1, seen: new Set() };
      this.streams.set(key, stream);
    }
    if (stream.seen.has(seq)) {
      this.tally.duplicates++;
      return;
    }
    stream.seen.add(seq);
    if (seq < stream.last) this.tally.reordered++;
    else stream.last = seq;
  }
}
