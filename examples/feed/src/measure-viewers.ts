import { performance } from "node:perf_hooks";
import { parentPort, workerData } from "node:worker_threads";
import { openRawViewer, type RawViewer } from "./raw-viewer.ts";
import { nowMs, parseTick, TICK_EVENT } from "./tick.ts";

/**
 * A thread of the measurement's viewers: it opens its share of sockets,
 * subscribes each to the ticker and keeps, per socket, what arrived and how
 * late. It answers the coordinator with numbers only.
 */

export type ViewerCommand = { type: "reset" } | { type: "progress" } | { type: "report" } | { type: "close" };

export interface ViewerReport {
  type: "report";
  latencies: Float64Array<ArrayBuffer>;
  /** Ticks received, summed over this thread's sockets. */
  received: number;
  /** Ticks that came with a sequence number at or below one already seen on that socket. */
  outOfOrder: number;
  /** Event-loop utilisation since the last reset, 0..1: near 1 would mean this thread was the limit. */
  busy: number;
}

export interface ViewerThreadData {
  url: string;
  channel: string;
  count: number;
}

const OPEN_WINDOW = 50;

interface Stream {
  last: number;
}

const { url, channel, count }: ViewerThreadData = workerData;
const port = parentPort;
if (port === null) throw new Error("measure-viewers.ts runs as a worker thread");

let latencies: Float64Array<ArrayBuffer> = new Float64Array(1 << 16);
let latencyCount = 0;
let received = 0;
let outOfOrder = 0;
let utilisation = performance.eventLoopUtilization();
const streams: Stream[] = [];
const sockets: RawViewer[] = [];

function record(stream: Stream, data: string): void {
  const tick = parseTick(JSON.parse(data));
  if (tick === undefined) return;
  if (latencyCount === latencies.length) {
    const grown = new Float64Array(latencies.length * 2);
    grown.set(latencies);
    latencies = grown;
  }
  latencies[latencyCount++] = nowMs() - tick.sentAt;
  received++;
  if (tick.seq <= stream.last) outOfOrder++;
  stream.last = Math.max(stream.last, tick.seq);
}

async function openOne(): Promise<void> {
  const stream: Stream = { last: 0 };
  streams.push(stream);
  const viewer = await openRawViewer(url, (event) => {
    if (event.event === TICK_EVENT) record(stream, event.data);
  });
  sockets.push(viewer);
  await viewer.subscribe(channel);
}

async function openAll(): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) {
      next++;
      await openOne();
    }
  };
  await Promise.all(Array.from({ length: Math.min(OPEN_WINDOW, count) }, lane));
}

port.on("message", (command: ViewerCommand) => {
  switch (command.type) {
    case "reset":
      latencyCount = 0;
      received = 0;
      outOfOrder = 0;
      for (const stream of streams) stream.last = 0;
      utilisation = performance.eventLoopUtilization();
      port.postMessage({ type: "reset" });
      return;
    case "progress":
      port.postMessage({ type: "progress", received });
      return;
    case "report": {
      const report: ViewerReport = {
        type: "report",
        latencies: latencies.slice(0, latencyCount),
        received,
        outOfOrder,
        busy: performance.eventLoopUtilization(utilisation).utilization,
      };
      port.postMessage(report, [report.latencies.buffer]);
      return;
    }
    case "close":
      for (const socket of sockets) socket.close();
      port.close();
      return;
  }
});

openAll().then(
  () => port.postMessage({ type: "ready" }),
  (error: unknown) => port.postMessage({ type: "failed", message: String(error) }),
);
