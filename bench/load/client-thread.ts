import { performance } from "node:perf_hooks";
import { parentPort } from "node:worker_threads";
import WebSocket from "ws";
import { EVENTS } from "../../src/protocol/constants.ts";
import {
  channelAuth,
  clientEventFrame,
  signInFrame,
  socketPath,
  subscribeFrame,
  unsubscribeFrame,
  userAuth,
} from "./frames.ts";
import type {
  ClientEventsResult,
  Command,
  Counter,
  Counts,
  DeliveryStats,
  Envelope,
  FloodResult,
  OpenResult,
  SignIn,
  SignInResult,
  Stamp,
  SubscribeResult,
  Subscription,
} from "./messages.ts";
import { nowMs, stamp } from "./messages.ts";

/**
 * A client thread: it owns a share of the bench's sockets, speaks raw Pusher
 * frames on them, and counts what arrives. Its replies are numbers only, so
 * the coordinator's own work stays small.
 */

/** Handshakes in flight per thread: enough to keep the server busy, few enough not to flood the accept queue. */
const OPEN_WINDOW = 64;
const SUBSCRIBE_WINDOW = 256;
const HANDSHAKE_TIMEOUT_MS = 30_000;
/** The pending entry of a sign-in: no channel can be named so (a colon is not allowed in one). */
const SIGN_IN = "pusher:signin";
/** A full-speed flooder writes until this much waits in its socket, then lets the socket drain. */
const FLOOD_HIGH_WATER_BYTES = 1 << 20;
/** Frames a full-speed flooder writes per turn of its event loop, so close and error frames are still read. */
const FLOOD_BATCH = 256;
/** How long a flooder waits for the close handshake the server began to complete. */
const FLOOD_CLOSE_WAIT_MS = 10_000;

interface Stream {
  last: number;
  seen: Set<number>;
}

interface Socket {
  ws: WebSocket;
  socketId: string;
  /** Subscriptions awaiting their subscription_succeeded, by channel; a sign-in under SIGN_IN. */
  pending: Map<string, () => void>;
  /** Per (channel, lane): what arrived, to count duplicates and reordering. */
  streams: Map<string, Stream>;
}

const sockets: Socket[] = [];
const counters: Counts = {
  deliveries: { count: 0, lastAtMs: 0 },
  memberAdded: { count: 0, lastAtMs: 0 },
  memberRemoved: { count: 0, lastAtMs: 0 },
};
let latencies = new Float64Array(1 << 16);
let latencyCount = 0;
let firstLast = new Map<string, [number, number]>();
let duplicates = 0;
let reordered = 0;
let errors = 0;
let errorSamples: string[] = [];
let utilisationMark = performance.eventLoopUtilization();

function bump(counter: Counter, now: number): void {
  counters[counter].count++;
  counters[counter].lastAtMs = now;
}

function recordLatency(ms: number): void {
  if (latencyCount === latencies.length) {
    const grown = new Float64Array(latencies.length * 2);
    grown.set(latencies);
    latencies = grown;
  }
  latencies[latencyCount++] = ms;
}

function onFrame(socket: Socket, text: string): void {
  const now = nowMs();
  const frame = JSON.parse(text) as { event: string; channel?: string; data?: unknown };
  switch (frame.event) {
    case EVENTS.subscriptionSucceeded:
    case EVENTS.signinSuccess: {
      const key = frame.event === EVENTS.signinSuccess ? SIGN_IN : (frame.channel ?? "");
      const resolve = socket.pending.get(key);
      socket.pending.delete(key);
      resolve?.();
      return;
    }
    case EVENTS.memberAdded:
      bump("memberAdded", now);
      return;
    case EVENTS.memberRemoved:
      bump("memberRemoved", now);
      return;
    case EVENTS.error:
    case EVENTS.subscriptionError:
      errors++;
      if (errorSamples.length < 5) errorSamples.push(text.slice(0, 200));
      return;
  }
  if (frame.event.startsWith("pusher")) return;
  // A bench event: server events carry the stamp as a JSON string, client events as an object.
  const payload = (typeof frame.data === "string" ? JSON.parse(frame.data) : frame.data) as Stamp;
  const key = `${frame.channel}|${payload.l}`;
  let stream = socket.streams.get(key);
  if (stream === undefined) {
    stream = { last: -1, seen: new Set() };
    socket.streams.set(key, stream);
  }
  if (stream.seen.has(payload.s)) {
    duplicates++;
    return;
  }
  stream.seen.add(payload.s);
  if (payload.s < stream.last) reordered++;
  else stream.last = payload.s;
  const latency = now - payload.t;
  recordLatency(latency);
  // Receive times only grow, so an event's first delivery has its least latency and its last the greatest.
  const event = `${payload.l}:${payload.s}`;
  const span = firstLast.get(event);
  if (span === undefined) firstLast.set(event, [latency, latency]);
  else span[1] = latency;
  bump("deliveries", now);
}

function openOne(url: string, deflate: boolean): Promise<{ socket: Socket; ms: number } | undefined> {
  const started = nowMs();
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { perMessageDeflate: deflate, handshakeTimeout: HANDSHAKE_TIMEOUT_MS });
    const socket: Socket = { ws, socketId: "", pending: new Map(), streams: new Map() };
    let settled = false;
    const settle = (value: { socket: Socket; ms: number } | undefined) => {
      if (settled) return;
      settled = true;
      resolve(value);
    };
    ws.on("message", (data: Buffer) => {
      const text = data.toString();
      if (socket.socketId === "") {
        const frame = JSON.parse(text) as { event: string; data: string };
        if (frame.event !== EVENTS.connectionEstablished) {
          errors++;
          settle(undefined);
          return;
        }
        socket.socketId = (JSON.parse(frame.data) as { socket_id: string }).socket_id;
        settle({ socket, ms: nowMs() - started });
        return;
      }
      onFrame(socket, text);
    });
    ws.on("error", () => settle(undefined));
    ws.on("close", () => settle(undefined));
  });
}

async function open(command: Extract<Command, { op: "open" }>): Promise<OpenResult> {
  const url = `${command.origin.replace(/^http/, "ws")}${socketPath(command.key)}`;
  const connectMs: number[] = [];
  let failures = 0;
  let deflateNegotiated = 0;
  let next = 0;
  const opened: Array<Socket | undefined> = new Array(command.count);
  const lane = async () => {
    while (next < command.count) {
      const index = next++;
      const result = await openOne(url, command.deflate);
      if (result === undefined) {
        failures++;
        continue;
      }
      opened[index] = result.socket;
      connectMs.push(result.ms);
      if (result.socket.ws.extensions.includes("permessage-deflate")) deflateNegotiated++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(OPEN_WINDOW, command.count) }, lane));
  for (const socket of opened) if (socket !== undefined) sockets.push(socket);
  return { connectMs, failures, deflateNegotiated };
}

function subscribeOne(socket: Socket, subscription: Subscription): Promise<boolean> {
  const { channel, presenceUserId } = subscription;
  const channelData =
    presenceUserId === undefined
      ? undefined
      : JSON.stringify({ user_id: presenceUserId, user_info: { name: `bench ${presenceUserId}` } });
  const needsAuth = channel.startsWith("private-") || channel.startsWith("presence-");
  const auth = needsAuth ? channelAuth(socket.socketId, channel, channelData) : "";
  return handshake(socket, channel, subscribeFrame(channel, auth, channelData));
}

/** Sends `frame` and resolves true when the answer filed under `key` comes, false after the timeout. */
function handshake(socket: Socket, key: string, frame: string): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.pending.delete(key);
      resolve(false);
    }, HANDSHAKE_TIMEOUT_MS);
    socket.pending.set(key, () => {
      clearTimeout(timer);
      resolve(true);
    });
    socket.ws.send(frame);
  });
}

/** Each socket with a plan signs in as its user, watching its watchlist, all at once. */
async function signIn(plans: Array<SignIn | null>): Promise<SignInResult> {
  const signing = plans.map((plan, index) => {
    const socket = sockets[index];
    if (plan === null || socket === undefined) return Promise.resolve(true);
    const userData = JSON.stringify({ id: plan.userId, watchlist: plan.watchlist });
    return handshake(socket, SIGN_IN, signInFrame(userData, userAuth(socket.socketId, userData)));
  });
  const signed = await Promise.all(signing);
  return { failures: signed.filter((ok) => !ok).length };
}

async function subscribe(plans: Subscription[][]): Promise<SubscribeResult> {
  const work: Array<[Socket, Subscription]> = [];
  plans.forEach((plan, index) => {
    const socket = sockets[index];
    if (socket !== undefined) for (const subscription of plan) work.push([socket, subscription]);
  });
  const subscribeMs: number[] = [];
  let failures = 0;
  let next = 0;
  const lane = async () => {
    while (next < work.length) {
      const item = work[next++];
      if (item === undefined) break;
      const started = nowMs();
      if (await subscribeOne(item[0], item[1])) subscribeMs.push(nowMs() - started);
      else failures++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(SUBSCRIBE_WINDOW, work.length) }, lane));
  return { subscribeMs, failures };
}

function reset(): void {
  for (const counter of Object.values(counters)) {
    counter.count = 0;
    counter.lastAtMs = 0;
  }
  latencyCount = 0;
  firstLast = new Map();
  duplicates = 0;
  reordered = 0;
  errors = 0;
  errorSamples = [];
  for (const socket of sockets) socket.streams.clear();
  utilisationMark = performance.eventLoopUtilization();
}

/** Each socket sends `client-bench` on its channel at a steady rate; its lane is its global index. */
async function clientEvents(command: Extract<Command, { op: "clientEvents" }>): Promise<ClientEventsResult> {
  const interval = 1000 / command.ratePerSecond;
  const rounds = Math.floor((command.durationMs / 1000) * command.ratePerSecond);
  let sent = 0;
  for (let round = 0; round < rounds; round++) {
    const started = nowMs();
    sockets.forEach((socket, index) => {
      const channel = command.channels[index];
      if (channel === undefined || socket.ws.readyState !== WebSocket.OPEN) return;
      socket.ws.send(clientEventFrame("client-bench", stamp(command.firstSender + index, round, ""), channel));
      sent++;
    });
    const spent = nowMs() - started;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, interval - spent)));
  }
  return { sent };
}

/**
 * The thread's first socket sends `client-flood` on `channel` at a rate, or
 * as fast as its socket takes them (`ratePerSecond` null), until the time is
 * up or the server closes it. It reads everything the server sends meanwhile,
 * as a real client does.
 */
async function flood(command: Extract<Command, { op: "flood" }>): Promise<FloodResult> {
  const socket = sockets[0];
  if (socket === undefined) throw new Error("flood needs an open socket");
  const { ws } = socket;
  const frame = clientEventFrame("client-flood", { flood: true }, command.channel);
  const result: FloodResult = {
    sent: 0,
    closedAfterMs: null,
    sentBeforeClose: 0,
    closeCode: null,
    received: 0,
    receivedBytes: 0,
    errorFrames: 0,
    lastError: null,
  };
  const startedAt = nowMs();
  const onMessage = (data: Buffer) => {
    result.received++;
    result.receivedBytes += data.length;
    const text = data.toString();
    if (text.includes(`"${EVENTS.error}"`)) {
      result.errorFrames++;
      result.lastError = text.slice(0, 200);
    }
  };
  const closed = new Promise<void>((resolve) =>
    ws.once("close", (code: number) => {
      result.closeCode = code;
      resolve();
    }),
  );
  ws.on("message", onMessage);
  const endAt = startedAt + command.durationMs;
  while (nowMs() < endAt && ws.readyState === WebSocket.OPEN) {
    if (command.ratePerSecond === null) {
      for (let n = 0; n < FLOOD_BATCH && ws.bufferedAmount < FLOOD_HIGH_WATER_BYTES; n++) {
        ws.send(frame);
        result.sent++;
      }
      await new Promise((resolve) => setImmediate(resolve));
    } else {
      const due = Math.floor(((nowMs() - startedAt) * command.ratePerSecond) / 1000);
      for (; result.sent < due; result.sent++) ws.send(frame);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  // ws leaves OPEN when the server's close frame arrives; the close completes once both sides agree.
  if (ws.readyState !== WebSocket.OPEN) {
    result.closedAfterMs = nowMs() - startedAt;
    result.sentBeforeClose = result.sent;
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, FLOOD_CLOSE_WAIT_MS))]);
  }
  ws.off("message", onMessage);
  return result;
}

function unsubscribe(plans: Subscription[][]): void {
  plans.forEach((plan, index) => {
    const socket = sockets[index];
    if (socket === undefined) return;
    for (const { channel } of plan) socket.ws.send(unsubscribeFrame(channel));
  });
}

function collect(): DeliveryStats {
  const used = performance.eventLoopUtilization(utilisationMark);
  return {
    latencies: latencies.slice(0, latencyCount),
    firstLast: [...firstLast].map(([event, [first, last]]) => [event, first, last]),
    unique: counters.deliveries.count,
    duplicates,
    reordered,
    errors,
    errorSamples,
    utilisation: used.utilization,
  };
}

async function closeAll(): Promise<void> {
  const closing = sockets.splice(0).map(
    (socket) =>
      new Promise<void>((resolve) => {
        if (socket.ws.readyState === WebSocket.CLOSED) return resolve();
        const timer = setTimeout(() => {
          socket.ws.terminate();
          resolve();
        }, 5000);
        socket.ws.once("close", () => {
          clearTimeout(timer);
          resolve();
        });
        socket.ws.close(1000);
      }),
  );
  await Promise.all(closing);
}

async function run(command: Command): Promise<unknown> {
  switch (command.op) {
    case "open":
      return open(command);
    case "subscribe":
      return subscribe(command.plans);
    case "reset":
      return reset();
    case "counts":
      return counters;
    case "clientEvents":
      return clientEvents(command);
    case "unsubscribe":
      return unsubscribe(command.plans);
    case "signIn":
      return signIn(command.plans);
    case "flood":
      return flood(command);
    case "collect":
      return collect();
    case "close":
      return closeAll();
    default: {
      const unreachable: never = command;
      return unreachable;
    }
  }
}

parentPort?.on("message", (message: Envelope<Command>) => {
  run(message.body).then(
    (body) => parentPort?.postMessage({ id: message.id, body }),
    (error: unknown) => parentPort?.postMessage({ id: message.id, error: String(error) }),
  );
});
