import { EVENTS } from "../../src/protocol/constants.ts";
import { CLIENT_EVENT_REJECTED, CLOSE_CODES } from "../../src/protocol/errors.ts";
import type { ServerInfo } from "../../test/e2e/support/server.ts";
import type { HonestTraffic } from "../honest.ts";
import { decodeData, isObject, SoakSocket } from "../load/soak-socket.ts";
import { Random } from "../random.ts";
import { type Category, nextAttack } from "./frames.ts";

export interface FrameCampaignOptions {
  sockets: number;
  /** Of those, sockets that send as fast as the server answers: the flood policy closes them. */
  flooders: number;
  /** Stops at whichever comes first. */
  frames: number;
  durationMs: number;
  seed: number;
}

export interface FrameCampaignReport {
  sockets: number;
  flooders: number;
  frames: number;
  /** Frames from the paced sockets: each of them reached the parser and the handlers. */
  pacedFrames: number;
  byCategory: Partial<Record<Category, number>>;
  /** `pusher:error` and `pusher:subscription_error` frames the hostile sockets got back. */
  refusals: number;
  /** Frames answered "Internal server error": a handler failed. Must be 0. */
  internalErrors: number;
  /** Closes the server made, by code. */
  closes: Record<string, number>;
  /** Flooders closed with 4301 (docs/protocol.md §8.5), and replaced. */
  floodCloses: number;
  /** Any other close: only a failed sign-in (4009) is expected. Must be 0. */
  unexpectedCloses: number;
  /** Frames from the server that were not a JSON event. Must be 0. */
  unreadable: number;
  /** Times a socket did not answer a ping within the time-out behind its own frames. Must be 0. */
  stalls: number;
}

const BARRIER_TIMEOUT_MS = 15_000;
/** Frames sent before each wait for the server to catch up, so a socket never queues without bound. */
const FRAMES_PER_BARRIER = 40;
/**
 * A paced socket stays well inside the flood ceiling of 200 frames in a
 * second (§8.5) however its frames bunch on the way: 50 a second with
 * bursts of 20 needs the Beacon to stall for over 3 s before 200 arrive
 * within one of its windows. So each of its frames reaches the parser and
 * the handlers, which is what the attack is for.
 */
const PACED_PER_SECOND = 50;
const PACED_BURST = 20;

/**
 * Many sockets send hostile frames, each attack followed by a ping once
 * enough frames are out, while the honest traffic goes on. Most are paced
 * under the flood ceiling; the flooders are not, and are closed for it. A
 * socket the server closes is counted and replaced.
 */
export async function runFrameCampaign(
  server: ServerInfo,
  honest: HonestTraffic,
  options: FrameCampaignOptions,
): Promise<FrameCampaignReport> {
  const report: FrameCampaignReport = {
    sockets: options.sockets,
    flooders: options.flooders,
    frames: 0,
    pacedFrames: 0,
    byCategory: {},
    refusals: 0,
    internalErrors: 0,
    closes: {},
    floodCloses: 0,
    unexpectedCloses: 0,
    unreadable: 0,
    stalls: 0,
  };
  const stopAt = Date.now() + options.durationMs;
  const more = () => report.frames < options.frames && Date.now() < stopAt;
  const lanes = Array.from({ length: options.sockets }, (_, lane) => {
    const pace = lane < options.flooders ? undefined : new Pace(PACED_PER_SECOND, PACED_BURST);
    return runLane(server, honest, new Random(options.seed + lane), lane, pace, report, more);
  });
  await Promise.all(lanes);
  return report;
}

async function runLane(
  server: ServerInfo,
  honest: HonestTraffic,
  random: Random,
  lane: number,
  pace: Pace | undefined,
  report: FrameCampaignReport,
  more: () => boolean,
): Promise<void> {
  const watch = (socket: SoakSocket) => {
    socket.onFrame = (frame) => {
      if (frame.event !== EVENTS.error && frame.event !== EVENTS.subscriptionError) return;
      report.refusals++;
      const data = decodeData(frame);
      if (isObject(data) && data.message === "Internal server error") report.internalErrors++;
    };
    return socket;
  };
  let socket = watch(await SoakSocket.open(server));
  let signinSent = false;
  let unanswered = 0;
  while (more()) {
    const attack = nextAttack({
      random,
      socketId: socket.socketId,
      otherSocketIds: honest.socketIds(),
      honest: honest.channels,
      signer: server,
      userId: `hostile-${lane % 5}`,
      ownChannel: `private-hostile-${lane}`,
    });
    report.byCategory[attack.category] = (report.byCategory[attack.category] ?? 0) + attack.frames.length;
    for (const frame of attack.frames) {
      await pace?.take();
      if (typeof frame.payload === "string") socket.send(frame.payload);
      else socket.sendBytes(frame.payload, frame.binary);
      report.frames++;
      if (pace !== undefined) report.pacedFrames++;
    }
    signinSent ||= attack.frames.some(
      (frame) => typeof frame.payload === "string" && frame.payload.includes(EVENTS.signin),
    );
    unanswered += attack.frames.length;
    if (unanswered < FRAMES_PER_BARRIER && socket.isOpen) continue;
    unanswered = 0;
    await pace?.take();
    const answered = await socket.barrier(BARRIER_TIMEOUT_MS).catch(() => {
      report.stalls++;
      return false;
    });
    if (answered) continue;
    const closed = await Promise.race([socket.closed, new Promise<undefined>((resolve) => setTimeout(resolve, 1000))]);
    if (closed === undefined) socket.terminate();
    else {
      report.closes[closed.code] = (report.closes[closed.code] ?? 0) + 1;
      if (closed.code === CLIENT_EVENT_REJECTED && pace === undefined) report.floodCloses++;
      else if (!(closed.code === CLOSE_CODES.unauthorized && signinSent)) report.unexpectedCloses++;
    }
    report.unreadable += socket.unreadable;
    socket = watch(await SoakSocket.open(server));
    signinSent = false;
  }
  report.unreadable += socket.unreadable;
  socket.close();
  await socket.closed;
}

/** A token bucket: `perSecond` frames a second, at most `burst` at once. */
class Pace {
  private tokens: number;
  private at = Date.now();
  private readonly perSecond: number;
  private readonly burst: number;

  constructor(perSecond: number, burst: number) {
    this.perSecond = perSecond;
    this.burst = burst;
    this.tokens = burst;
  }

  async take(): Promise<void> {
    for (;;) {
      const now = Date.now();
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) * this.perSecond) / 1000);
      this.at = now;
      if (this.tokens >= 1) {
        this.tokens--;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, ((1 - this.tokens) * 1000) / this.perSecond));
    }
  }
}
