import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { cpuSeconds, rssBytes } from "../../../bench/host/proc.ts";
import { concat, type Distribution, distribution } from "../../../bench/report/stats.ts";
import { backendSdk } from "../../shared/sower.ts";
import { hostSower } from "./measure-host.ts";
import type { ViewerCommand, ViewerReport, ViewerThreadData } from "./measure-viewers.ts";
import { startPublisher } from "./publisher.ts";
import { type ChannelEvent, openRawViewer, socketUrl } from "./raw-viewer.ts";
import { type TcpQueues, tcpQueues } from "./tcp-queues.ts";
import { TICK_EVENT, tickerChannel } from "./tick.ts";

/**
 * `npm run example:feed:measure`: many viewers on one ticker, first with all of
 * them reading, then with one more viewer that has stopped reading its socket
 * and has megabytes backed up towards it. Prints what the others saw in each
 * phase. Loopback only, and the whole run is capped by --deadline.
 */
const { values: flags } = parseArgs({
  options: {
    viewers: { type: "string", default: "1000" },
    rate: { type: "string", default: "20" },
    seconds: { type: "string", default: "20" },
    "backlog-mb": { type: "string", default: "16" },
    threads: { type: "string", default: "2" },
    deadline: { type: "string", default: "300" },
    "wrangler-dev": { type: "boolean", default: false },
    json: { type: "string" },
  },
});
const VIEWERS = positive("viewers");
const RATE = positive("rate");
const SECONDS = positive("seconds");
const BACKLOG_BYTES = positive("backlog-mb") * 1024 * 1024;
const THREADS = Math.min(positive("threads"), VIEWERS);
const DRAIN_MS = 10_000;
const BACKLOG_EVENT_BYTES = 9000;

let serverPids: readonly number[] = [];
setTimeout(() => {
  console.error(`Stopped: the run passed its --deadline of ${flags.deadline} s.`);
  // The local server is this run's own child: end it too, at once, before anything else fails for its absence.
  for (const pid of serverPids) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // Already gone.
    }
  }
  process.exit(2);
}, positive("deadline") * 1000).unref();

const loadAtStart = loadavg()[0] ?? 0;
const host = await hostSower(flags["wrangler-dev"]);
serverPids = host.pids;
const { sower } = host;
const sdk = backendSdk(sower);
const symbol = `M${Date.now().toString(36)}`;
const channel = tickerChannel(symbol);
const url = socketUrl(sower.host, sower.port, sower.key, sower.useTLS);
console.log(
  `Sower: ${host.label}. ${VIEWERS} viewers on ${THREADS} threads, ${RATE} updates/s for ${SECONDS} s a phase.`,
);

const threads = Array.from({ length: THREADS }, (_, index) => {
  const data: ViewerThreadData = { url, channel, count: share(index) };
  return new Worker(new URL("./measure-viewers.ts", import.meta.url), { workerData: data });
});
const connectStarted = performance.now();
await Promise.all(threads.map((thread) => reply(thread, "ready")));
console.log(`${VIEWERS} viewers connected and subscribed in ${Math.round(performance.now() - connectStarted)} ms.`);

const calm = await phase("every viewer reading");

// The stalled viewer: it subscribes, stops reading its socket, and then a backlog of its own
// (a channel only it is on) is published, so every later send to it lands behind megabytes.
const stalledEvents: ChannelEvent[] = [];
const stalled = await openRawViewer(url, (event) => stalledEvents.push(event));
const backlogChannel = `backlog-${symbol}`;
await stalled.subscribe(channel);
await stalled.subscribe(backlogChannel);
stalled.ws.pause();
const rssBeforeBacklog = rssBytes(host.pids);
const backlogEvents = Math.ceil(BACKLOG_BYTES / BACKLOG_EVENT_BYTES / 10) * 10;
const padding = "x".repeat(BACKLOG_EVENT_BYTES);
for (let first = 0; first < backlogEvents; first += 10) {
  const batch = Array.from({ length: 10 }, (_, n) => ({
    channel: backlogChannel,
    name: "backlog",
    data: { n: first + n, padding },
  }));
  await sdk.triggerBatch(batch);
}
const clientPort = stalled.localPort;
const queuesBefore = clientPort === undefined ? undefined : tcpQueues(clientPort, sower.port);
const rssAfterBacklog = rssBytes(host.pids);
const stalledPhase = await phase("one viewer stalled");
const queuesAfter = clientPort === undefined ? undefined : tcpQueues(clientPort, sower.port);

// Resumed, does the stalled viewer get everything, in order?
const owed = backlogEvents + stalledPhase.published + 1; // +1: the cached tick it got on subscribing
const resumed = performance.now();
stalled.ws.resume();
const caughtUp = await until(() => stalledEvents.length >= owed, 60_000);
const catchUpMs = Math.round(performance.now() - resumed);
const stalledTicks = stalledEvents.filter((event) => event.event === TICK_EVENT).length;

const report = {
  sower: host.label,
  viewers: VIEWERS,
  rate: RATE,
  seconds: SECONDS,
  loadAverage: { atStart: loadAtStart, atEnd: loadavg()[0] ?? 0 },
  phases: [calm, stalledPhase],
  stalled: {
    backlogBytes: backlogEvents * BACKLOG_EVENT_BYTES,
    serverMemoryGrowth: rssAfterBacklog - rssBeforeBacklog,
    queuesBefore,
    queuesAfter,
    caughtUp,
    catchUpMs,
    received: stalledEvents.length,
    owed,
    ticks: stalledTicks,
  },
};
print();
if (flags.json !== undefined) writeFileSync(flags.json, JSON.stringify(report, null, 2));

stalled.close();
for (const thread of threads) thread.postMessage({ type: "close" } satisfies ViewerCommand);
await host.stop();
const failed = [calm, stalledPhase].some((each) => each.lost > 0 || each.outOfOrder > 0) || !caughtUp;
process.exit(failed ? 1 : 0);

interface PhaseResult {
  name: string;
  published: number;
  expected: number;
  received: number;
  lost: number;
  outOfOrder: number;
  latencyMs: Distribution;
  busiestViewerThread: number;
  serverCpuSeconds: number;
}

async function phase(name: string): Promise<PhaseResult> {
  await Promise.all(threads.map((thread) => ask(thread, { type: "reset" }, "reset")));
  const cpuBefore = cpuSeconds(host.pids);
  const published = await startPublisher({ pusher: sdk, symbol, rate: RATE, count: RATE * SECONDS }).done;
  const expected = published * VIEWERS;
  await until(async () => {
    const progress = await Promise.all(threads.map((thread) => ask(thread, { type: "progress" }, "progress")));
    return progress.reduce((sum, each) => sum + Number(each.received), 0) >= expected;
  }, DRAIN_MS);
  const serverCpuSeconds = cpuSeconds(host.pids) - cpuBefore;
  const reports = await Promise.all(threads.map((thread) => ask(thread, { type: "report" }, "report")));
  const parts: ViewerReport[] = reports.filter(isReport);
  const received = parts.reduce((sum, each) => sum + each.received, 0);
  return {
    name,
    published,
    expected,
    received,
    lost: expected - received,
    outOfOrder: parts.reduce((sum, each) => sum + each.outOfOrder, 0),
    latencyMs: distribution(concat(parts.map((each) => each.latencies))),
    busiestViewerThread: Math.max(...parts.map((each) => each.busy)),
    serverCpuSeconds,
  };
}

function print(): void {
  const ms = (value: number) => value.toFixed(1);
  console.log(
    "\n| Phase | Published | Deliveries to the others | Lost | Out of order | p50 ms | p95 ms | p99 ms | max ms | Server CPU | Busiest viewer thread |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const each of report.phases) {
    const { p50, p95, p99, max } = each.latencyMs;
    const cpu = host.pids.length === 0 ? "n/a" : `${each.serverCpuSeconds.toFixed(1)} s`;
    console.log(
      `| ${each.name} | ${each.published} | ${each.received} of ${each.expected} | ${each.lost} | ${each.outOfOrder} | ${ms(p50)} | ${ms(p95)} | ${ms(p99)} | ${ms(max)} | ${cpu} | ${Math.round(each.busiestViewerThread * 100)} % |`,
    );
  }
  const load = report.loadAverage;
  console.log(
    `\nMachine load average (1 min): ${load.atStart.toFixed(1)} at the start, ${load.atEnd.toFixed(1)} at the end.`,
  );
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  const queues = (value: TcpQueues | undefined) =>
    value === undefined
      ? "not readable here"
      : `${mb(value.clientUnread)} unread by the viewer, ${mb(value.serverUnsent)} unsent by the server`;
  console.log(
    `\nStalled viewer: ${mb(report.stalled.backlogBytes)} of backlog published to it before the second phase.`,
  );
  if (host.pids.length > 0) {
    console.log(
      `  The server's resident memory grew by ${mb(report.stalled.serverMemoryGrowth)} as the backlog was queued.`,
    );
  }
  console.log(`  Kernel queues before the phase: ${queues(queuesBefore)}; after: ${queues(queuesAfter)}.`);
  console.log(
    caughtUp
      ? `  Resumed, it received all ${owed} events it was owed (${stalledTicks} ticks) in ${catchUpMs} ms.`
      : `  Resumed, it received ${stalledEvents.length} of the ${owed} events it was owed within 60 s.`,
  );
}

function share(index: number): number {
  return Math.floor(VIEWERS / THREADS) + (index < VIEWERS % THREADS ? 1 : 0);
}

function positive(name: keyof typeof flags): number {
  const value = Number(flags[name]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

function isReport(message: Record<string, unknown>): message is ViewerReport & Record<string, unknown> {
  return message.type === "report" && message.latencies instanceof Float64Array;
}

function reply(thread: Worker, type: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const listener = (message: Record<string, unknown>) => {
      if (message.type === "failed") reject(new Error(String(message.message)));
      if (message.type !== type) return;
      thread.off("message", listener);
      resolve(message);
    };
    thread.on("message", listener);
    thread.once("error", reject);
  });
}

function ask(thread: Worker, command: ViewerCommand, answer: string): Promise<Record<string, unknown>> {
  const answered = reply(thread, answer);
  thread.postMessage(command);
  return answered;
}

async function until(done: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await done()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return done();
}
