import { channelAuth, subscribeFrame } from "../../bench/load/frames.ts";
import { EVENTS } from "../../src/protocol/constants.ts";
import type { ServerInfo } from "../../test/e2e/support/server.ts";
import { decodeData, type Frame, isObject, SoakSocket } from "../load/soak-socket.ts";
import { Roster } from "../roster.ts";
import type { StormSocketPlan } from "./plan.ts";

/** The event cached on each cache channel before the storm, and the one sent to every channel after it. */
export const CACHED_EVENT = "storm-cached";
export const CHECK_EVENT = "storm-check";

/** Like pusher-js after a failed attempt: wait a second and try again. */
const RETRY_MS = 1000;
const BACK_TIMEOUT_MS = 60_000;

/** What one connection of a storm socket saw, from its connection_established on. */
export interface Visit {
  /** When the connection attempt began, and when both subscriptions and the cached event were in. */
  startedAt: number;
  backAt?: number;
  /** When the socket's own channel, and its cache channel, confirmed the subscription. */
  channelBackAt?: number;
  cacheBackAt?: number;
  /** Frames on the cache channel after its subscription_succeeded: exactly one cached event is right. */
  cacheFrames: Frame[];
  /** member_added or member_removed that contradicted the roster. */
  rosterFaults: number;
  /** `pusher:error` or `pusher:subscription_error`. */
  errors: number;
  /** CHECK_EVENT arrivals per channel. */
  checks: Map<string, number>;
}

/**
 * One socket of the storm: it connects, subscribes to its channel and its
 * cache channel, and retries after a second when the server cannot be
 * reached, as pusher-js does. Each connection's frames go to a fresh Visit.
 */
export class StormClient {
  readonly plan: StormSocketPlan;
  readonly roster = new Roster();
  socket: SoakSocket | undefined;
  visit: Visit | undefined;
  /** Connection attempts that failed and were retried. */
  retries = 0;
  private readonly server: ServerInfo;

  constructor(server: ServerInfo, plan: StormSocketPlan) {
    this.server = server;
    this.plan = plan;
  }

  /** Connects (retrying) and resolves once both channels are subscribed and the cache has answered. */
  async connect(): Promise<Visit> {
    const visit: Visit = { startedAt: Date.now(), cacheFrames: [], rosterFaults: 0, errors: 0, checks: new Map() };
    this.visit = visit;
    const giveUpAt = visit.startedAt + BACK_TIMEOUT_MS;
    for (;;) {
      const socket = await SoakSocket.open(this.server).catch(() => undefined);
      if (socket !== undefined) {
        this.socket = socket;
        break;
      }
      this.retries++;
      if (Date.now() > giveUpAt) throw new Error(`socket ${this.plan.index} could not reconnect`);
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
    const socket = this.socket;
    const back = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`socket ${this.plan.index} not back in time`)), BACK_TIMEOUT_MS);
      socket.onFrame = (frame) => {
        this.receive(visit, frame);
        if (visit.backAt === undefined && visit.channelBackAt !== undefined && visit.cacheFrames.length > 0) {
          visit.backAt = Date.now();
          clearTimeout(timer);
          resolve();
        }
      };
    });
    const { channel, cacheChannel, userId } = this.plan;
    const member = userId === undefined ? undefined : JSON.stringify({ user_id: userId, user_info: { storm: true } });
    const signed = channel.startsWith("private-") || channel.startsWith("presence-");
    const auth = signed ? channelAuth(socket.socketId, channel, member, this.server) : "";
    socket.send(subscribeFrame(channel, auth, member));
    socket.send(subscribeFrame(cacheChannel, ""));
    await back;
    return visit;
  }

  private receive(visit: Visit, frame: Frame): void {
    const { channel, cacheChannel } = this.plan;
    if (frame.event === EVENTS.error || frame.event === EVENTS.subscriptionError) {
      visit.errors++;
      return;
    }
    if (frame.event === CHECK_EVENT && frame.channel !== undefined) {
      visit.checks.set(frame.channel, (visit.checks.get(frame.channel) ?? 0) + 1);
      return;
    }
    if (frame.channel === cacheChannel) {
      if (frame.event === EVENTS.subscriptionSucceeded) visit.cacheBackAt = Date.now();
      else visit.cacheFrames.push(frame);
      return;
    }
    if (frame.channel !== channel) return;
    if (frame.event === EVENTS.subscriptionSucceeded) visit.channelBackAt = Date.now();
    if (this.plan.userId !== undefined && this.roster.apply(frame) === "fault") visit.rosterFaults++;
  }

  /** Whether this visit's cache frames are exactly the one cached event with `version`. */
  cacheIsRight(version: string): boolean {
    const frames = this.visit?.cacheFrames ?? [];
    const data = frames[0] === undefined ? undefined : decodeData(frames[0]);
    return frames.length === 1 && frames[0]?.event === CACHED_EVENT && isObject(data) && data.v === version;
  }
}
