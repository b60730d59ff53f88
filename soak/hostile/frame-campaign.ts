import { EVENTS } from "../../src/protocol/constants.ts";
import { CLOSE_CODES } from "../../src/protocol/errors.ts";
import type { ServerInfo } from "../../test/e2e/support/server.ts";
import type { HonestTraffic } from "../honest.ts";
import { decodeData, isObject, SoakSocket } from "../load/soak-socket.ts";
import { Random } from "../random.ts";
import { type Category, nextAttack } from "./frames.ts";

export interface FrameCampaignOptions {
  sockets: number;
  /** Stops at whichever comes first. */
  frames: number;
  durationMs: number;
  seed: number;
}

export interface FrameCampaignReport {
  sockets: number;
  frames: number;
  byCategory: Partial<Record<Category, number>>;
  /** `pusher:error` and `pusher:subscription_error` frames the hostile sockets got back. */
  refusals: number;
  /** Frames answered "Internal server error": a handler failed. Must be 0. */
  internalErrors: number;
  /** Closes the server made, by code. */
  closes: Record<string, number>;
  /** Closes a hostile socket did not ask for (anything but the 4009 of a failed sign-in). Must be 0. */
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
 * Many sockets send hostile frames as fast as the server answers them, each
 * attack followed by a ping once enough frames are out, while the honest
 * traffic goes on. A socket the server closes is counted and replaced.
 */
export async function runFrameCampaign(
  server: ServerInfo,
  honest: HonestTraffic,
  options: FrameCampaignOptions,
): Promise<FrameCampaignReport> {
  const report: FrameCampaignReport = {
    sockets: options.sockets,
    frames: 0,
    byCategory: {},
    refusals: 0,
    internalErrors: 0,
    closes: {},
    unexpectedCloses: 0,
    unreadable: 0,
    stalls: 0,
  };
  const stopAt = Date.now() + options.durationMs;
  const more = () => report.frames < options.frames && Date.now() < stopAt;
  const lanes = Array.from({ length: options.sockets }, (_, lane) =>
    runLane(server, honest, new Random(options.seed + lane), lane, report, more),
  );
  await Promise.all(lanes);
  return report;
}

async function runLane(
  server: ServerInfo,
  honest: HonestTraffic,
  random: Random,
  lane: number,
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
      if (typeof frame.payload === "string") socket.send(frame.payload);
      else socket.sendBytes(frame.payload, frame.binary);
      report.frames++;
    }
    signinSent ||= attack.frames.some(
      (frame) => typeof frame.payload === "string" && frame.payload.includes(EVENTS.signin),
    );
    unanswered += attack.frames.length;
    if (unanswered < FRAMES_PER_BARRIER && socket.isOpen) continue;
    unanswered = 0;
    const answered = await socket.barrier(BARRIER_TIMEOUT_MS).catch(() => {
      report.stalls++;
      return false;
    });
    if (answered) continue;
    const closed = await Promise.race([socket.closed, new Promise<undefined>((resolve) => setTimeout(resolve, 1000))]);
    if (closed === undefined) socket.terminate();
    else {
      report.closes[closed.code] = (report.closes[closed.code] ?? 0) + 1;
      if (!(closed.code === CLOSE_CODES.unauthorized && signinSent)) report.unexpectedCloses++;
    }
    report.unreadable += socket.unreadable;
    socket = watch(await SoakSocket.open(server));
    signinSent = false;
  }
  report.unreadable += socket.unreadable;
  socket.close();
  await socket.closed;
}
