import { channelAuth, subscribeFrame } from "../bench/load/frames.ts";
import { EVENTS } from "../src/protocol/constants.ts";
import type { HonestTraffic } from "./honest.ts";
import type { SoakRuntime } from "./host/runtime.ts";
import { decodeData, isObject, SoakSocket } from "./load/soak-socket.ts";

export interface HibernationReport {
  cycles: number;
  /** Cycles after which the Beacon's instance was a new one: it had been evicted while idle. */
  evicted: number;
  /** A new subscriber to the cache channel got no event, or another than the last one triggered. Must be 0. */
  cacheFaults: number;
}

/**
 * The local runtime evicts an object whose only connections are hibernated
 * sockets once it has been idle about 10 s, but not the moment it is: one
 * idle 12 to 15 s was sometimes still there. A leave held 3 s for its webhook
 * (docs/protocol.md §13.5) may also ring the alarm early in the idle time.
 */
export const IDLE_MS = 20_000;
const WAKES = ["a client event", "a REST trigger", "a new socket"] as const;

/**
 * Idle, evicted, woken: each cycle leaves the honest sockets connected and
 * silent until the runtime evicts the Beacon, wakes it by a frame, a REST
 * call or a new socket in turn, checks that it was a new instance, and then
 * that the cache, the rosters (with a visitor joining and leaving) and
 * deliveries are all as they were.
 */
export async function hibernationCycles(
  runtime: SoakRuntime,
  honest: HonestTraffic,
  cycles: number,
): Promise<HibernationReport> {
  const report: HibernationReport = { cycles: 0, evicted: 0, cacheFaults: 0 };
  for (let cycle = 0; cycle < cycles; cycle++) {
    await honest.publish(3);
    await honest.settle(10_000);
    const cachedBefore = honest.lastCached;
    const idleFrom = Date.now();
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    const wake = WAKES[cycle % WAKES.length];
    if (wake === "a client event") honest.clientEvent();
    if (wake === "a REST trigger") await honest.publish(1);
    if (wake === "a new socket") report.cacheFaults += await cacheFault(runtime, honest, cachedBefore);
    if ((await runtime.instanceStartedAt()) > idleFrom) report.evicted++;
    report.cacheFaults += await cacheFault(runtime, honest, honest.lastCached);
    await visit(runtime, honest, `visitor-${cycle}`);
    await honest.publish(3);
    await honest.settle(10_000);
    report.cycles++;
  }
  return report;
}

/** 1 if a new subscriber to the cache channel does not get exactly the event with `seq`, else 0. */
async function cacheFault(runtime: SoakRuntime, honest: HonestTraffic, seq: number | undefined): Promise<number> {
  const socket = await SoakSocket.open(runtime.info);
  const channel = honest.channels.cache;
  const cached = socket.next(
    (frame) => frame.channel === channel && frame.event !== EVENTS.subscriptionSucceeded,
    10_000,
  );
  socket.send(subscribeFrame(channel, ""));
  const frame = await cached.catch(() => undefined);
  socket.close();
  const data = frame === undefined ? undefined : decodeData(frame);
  return isObject(data) && data.s === seq && seq !== undefined ? 0 : 1;
}

/** A member joins the presence channel and leaves; the honest rosters must show both and end as they were. */
async function visit(runtime: SoakRuntime, honest: HonestTraffic, userId: string): Promise<void> {
  const socket = await SoakSocket.open(runtime.info);
  const channel = honest.channels.presence;
  const member = JSON.stringify({ user_id: userId, user_info: {} });
  const joined = socket.next((frame) => frame.channel === channel, 10_000);
  socket.send(subscribeFrame(channel, channelAuth(socket.socketId, channel, member, runtime.info), member));
  await joined;
  await honest.checkRosters([userId]);
  socket.close();
  await socket.closed;
  await honest.checkRosters();
}
