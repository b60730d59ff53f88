import Pusher from "pusher";
import { channelAuth, clientEventFrame, subscribeFrame } from "../bench/load/frames.ts";
import { type Distribution, distribution } from "../bench/report/stats.ts";
import { EVENTS } from "../src/protocol/constants.ts";
import type { ServerInfo } from "../test/e2e/support/server.ts";
import {
  CLIENT_EVENT,
  HONEST_EVENT,
  type HonestChannels,
  HonestSocket,
  type HonestTally,
  honestChannels,
  honestUser,
} from "./honest-socket.ts";
import { isObject, SoakSocket } from "./load/soak-socket.ts";

export type { HonestChannels, HonestTally } from "./honest-socket.ts";

const SETTLE_POLL_MS = 50;

/**
 * Ordinary users of the app while the campaign attacks it: sockets on a
 * public, a private, a presence and a cache channel, a backend triggering
 * numbered events to all four, and one socket sending numbered client
 * events to the others. Every event must reach every subscriber exactly
 * once and in order, and every roster must stay right.
 */
export class HonestTraffic {
  readonly tally: HonestTally = {
    expected: 0,
    delivered: 0,
    lost: 0,
    duplicates: 0,
    reordered: 0,
    rosterFaults: 0,
    unexpectedCloses: 0,
    errorFrames: 0,
    failedTriggers: 0,
  };
  /** How long each trigger took to be answered, since the books were last taken. */
  private triggerMs: number[] = [];
  private readonly sdk: Pusher;
  private readonly sockets: HonestSocket[] = [];
  private triggered = 0;
  /** The sequence number the cache channel holds: the last trigger that succeeded. */
  lastCached: number | undefined;
  private clientEvents = 0;
  /** Sequence numbers whose trigger failed: whether they were delivered is unknown, so they are not counted. */
  private readonly uncertain = new Set<number>();
  private closing = false;
  private readonly server: ServerInfo;
  readonly channels: HonestChannels;

  private constructor(server: ServerInfo, channels: HonestChannels) {
    this.server = server;
    this.channels = channels;
    const { appId, key, secret, host, port } = server;
    this.sdk = new Pusher({ appId, key, secret, host, port: String(port), useTLS: false });
  }

  /** Opens `count` sockets (an even number) and subscribes each to the four channels. */
  static async open(server: ServerInfo, count: number, tag: string): Promise<HonestTraffic> {
    const traffic = new HonestTraffic(server, honestChannels(tag));
    for (let index = 0; index < count; index++) {
      const socket = await SoakSocket.open(server);
      const honest = new HonestSocket(socket, honestUser(index), traffic.tally, traffic.channels);
      traffic.sockets.push(honest);
      socket.closed.then(() => {
        if (!traffic.closing) traffic.tally.unexpectedCloses++;
      });
      await traffic.subscribeAll(honest);
    }
    return traffic;
  }

  /** The presence members the honest sockets make. */
  get users(): Set<string> {
    return new Set(this.sockets.map((honest) => honest.userId));
  }

  get size(): number {
    return this.sockets.length;
  }

  private async subscribeAll(honest: HonestSocket): Promise<void> {
    const { socket, userId } = honest;
    const member = JSON.stringify({ user_id: userId, user_info: { honest: true } });
    for (const channel of Object.values(this.channels)) {
      const done = socket.next(
        (frame) =>
          frame.channel === channel && frame.event !== EVENTS.memberAdded && frame.event !== EVENTS.memberRemoved,
        30_000,
      );
      // A cache channel follows its success with the cached event or a miss, in the same breath.
      const cached =
        channel === this.channels.cache
          ? socket.next((frame) => frame.channel === channel && frame.event !== EVENTS.subscriptionSucceeded, 30_000)
          : undefined;
      const channelData = channel === this.channels.presence ? member : undefined;
      const auth = channel.startsWith("private-") || channel.startsWith("presence-");
      socket.send(
        subscribeFrame(
          channel,
          auth ? channelAuth(socket.socketId, channel, channelData, this.server) : "",
          channelData,
        ),
      );
      const answer = await done;
      if (answer.event !== EVENTS.subscriptionSucceeded) throw new Error(`honest subscribe failed: ${answer.event}`);
      await cached;
    }
  }

  /** Triggers numbered events at `perSecond` (one call in flight) and client events at 4 a second, until `stop` settles. */
  async runUntil(stop: Promise<unknown>, perSecond: number): Promise<void> {
    let stopped = false;
    stop.then(
      () => (stopped = true),
      () => (stopped = true),
    );
    let tick = 0;
    while (!stopped) {
      const started = Date.now();
      await this.triggerOne();
      if (tick++ % Math.max(1, Math.round(perSecond / 4)) === 0) this.clientEvent();
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 / perSecond - (Date.now() - started))));
    }
  }

  /** Triggers `count` numbered events one after another. */
  async publish(count: number): Promise<void> {
    for (let index = 0; index < count; index++) await this.triggerOne();
  }

  private async triggerOne(): Promise<void> {
    const seq = this.triggered++;
    const started = Date.now();
    try {
      await this.sdk.trigger(
        [this.channels.public, this.channels.private, this.channels.presence, this.channels.cache],
        HONEST_EVENT,
        JSON.stringify({ s: seq }),
      );
      this.lastCached = seq;
      this.triggerMs.push(Date.now() - started);
    } catch {
      this.tally.failedTriggers++;
      this.uncertain.add(seq);
    }
  }

  /** The first honest socket sends the next numbered client event to the others on the private channel. */
  clientEvent(): void {
    const frame = clientEventFrame(CLIENT_EVENT, { s: this.clientEvents++ }, this.channels.private);
    this.sockets[0]?.socket.send(frame);
  }

  /** What each socket should have by now, per stream. */
  private expectations(honest: HonestSocket): Array<[string, number, Set<number>]> {
    const triggered: Array<[string, number, Set<number>]> = Object.values(this.channels).map((channel) => [
      `${channel}|${HONEST_EVENT}`,
      this.triggered,
      this.uncertain,
    ]);
    const isSender = honest === this.sockets[0];
    return isSender
      ? triggered
      : [...triggered, [`${this.channels.private}|${CLIENT_EVENT}`, this.clientEvents, new Set()]];
  }

  private missing(honest: HonestSocket): number {
    let missing = 0;
    for (const [key, count, skipped] of this.expectations(honest)) {
      const seen = honest.streams.get(key)?.seen;
      for (let seq = 0; seq < count; seq++) if (!skipped.has(seq) && !seen?.has(seq)) missing++;
    }
    return missing;
  }

  /**
   * Waits until every socket has every event sent so far, or `timeoutMs`
   * passes; then counts what is missing as lost, and starts the books
   * afresh, so each part of the campaign is counted on its own.
   */
  async settle(timeoutMs: number): Promise<void> {
    const giveUpAt = Date.now() + timeoutMs;
    let missing = this.totalMissing();
    while (missing > 0 && Date.now() < giveUpAt) {
      await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
      missing = this.totalMissing();
    }
    for (const honest of this.sockets) {
      for (const [key, count, skipped] of this.expectations(honest)) {
        const expected = count - skipped.size;
        this.tally.expected += expected;
        this.tally.delivered += Math.min(expected, honest.streams.get(key)?.seen.size ?? 0);
      }
      honest.streams.clear();
    }
    this.tally.lost += missing;
    this.triggered = 0;
    this.clientEvents = 0;
    this.uncertain.clear();
  }

  private totalMissing(): number {
    return this.sockets.reduce((sum, honest) => sum + this.missing(honest), 0);
  }

  /**
   * Every honest socket's roster and the HTTP API's member list must be the
   * honest users and `visitors` exactly, within `timeoutMs` (a leave reaches
   * the sockets after the close that caused it); each socket that still
   * disagrees then is a fault, and so is a wrong member list.
   */
  async checkRosters(visitors: readonly string[] = [], timeoutMs = 10_000): Promise<void> {
    const expected = new Set([...this.users, ...visitors]);
    const wrong = () => this.sockets.filter((honest) => !honest.roster.equals(expected)).length;
    const giveUpAt = Date.now() + timeoutMs;
    while (wrong() > 0 && Date.now() < giveUpAt) await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
    this.tally.rosterFaults += wrong();
    const answer = await this.sdk.get({ path: `/channels/${this.channels.presence}/users` });
    const body: unknown = await answer.json();
    const ids =
      isObject(body) && Array.isArray(body.users)
        ? body.users.map((user: unknown) => (isObject(user) ? user.id : undefined))
        : [];
    const listed = new Set(ids);
    if (listed.size !== expected.size || ids.some((id) => typeof id !== "string" || !expected.has(id))) {
      this.tally.rosterFaults++;
    }
  }

  /** The faults counted since the last call, and how long triggers took; the counts start again at 0. */
  takeTally(): HonestTally & { triggerMs: Distribution } {
    const taken = { ...this.tally, triggerMs: distribution(this.triggerMs) };
    for (const key of Object.keys(this.tally) as Array<keyof HonestTally>) this.tally[key] = 0;
    this.triggerMs = [];
    return taken;
  }

  /** The socket ids of the honest sockets (hostile sockets replay their signatures). */
  socketIds(): string[] {
    return this.sockets.map((honest) => honest.socket.socketId);
  }

  /** Every honest socket answers a ping behind whatever it was sent before. */
  async barrier(timeoutMs: number): Promise<void> {
    await Promise.all(this.sockets.map((honest) => honest.socket.barrier(timeoutMs)));
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const honest of this.sockets) honest.socket.close();
    await Promise.all(this.sockets.map((honest) => honest.socket.closed));
  }
}
