import { env, runInDurableObject } from "cloudflare:test";
import { expect } from "vitest";
import { channelStringToSign, signToken, userStringToSign } from "../../../src/auth/signatures";
import type { Beacon } from "../../../src/beacon/beacon";
import { readAttachment } from "../../../src/beacon/state/attachment";
import { socketHolders } from "./objects";
import { APP_ID, APP_KEY, APP_SECRET, connect, type Frame, type TestSocket } from "./socket";

const app = { key: APP_KEY, secret: APP_SECRET };

/** The app's Beacon, as the Worker addresses it. */
export function beacon() {
  return env.BEACON.getByName(APP_ID);
}

let counter = 0;
/** Names (of channels, users) unique per test, so no test sees another's traffic. */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}-${counter}`;
}

export interface Member {
  user_id: string | number;
  user_info?: unknown;
}

/**
 * What an app's auth endpoint returns for this socket and channel. A string
 * member is sent as channel_data exactly as given, to test odd encodings.
 */
export async function authorize(socketId: string, channel: string, member?: Member | string) {
  if (member === undefined) return { auth: await signToken(app, channelStringToSign(socketId, channel)) };
  const channelData = typeof member === "string" ? member : JSON.stringify(member);
  return { auth: await signToken(app, channelStringToSign(socketId, channel, channelData)), channel_data: channelData };
}

/** Sends the subscribe frame pusher-js would send, signed when the channel needs it. */
export async function sendSubscribe(socket: TestSocket, channel: string, member?: Member | string): Promise<void> {
  const needsAuth = channel.startsWith("private-") || channel.startsWith("presence-");
  const data = needsAuth ? await authorize(socket.socketId, channel, member) : { auth: "" };
  socket.send({ event: "pusher:subscribe", data: { ...data, channel } });
}

/** Subscribes and returns the decoded `subscription_succeeded` data. */
export async function subscribe(socket: TestSocket, channel: string, member?: Member): Promise<unknown> {
  await sendSubscribe(socket, channel, member);
  const frame = await socket.next();
  expect(frame).toMatchObject({ event: "pusher_internal:subscription_succeeded", channel });
  return decoded(frame);
}

/** Server frames carry `data` as a JSON string; this is what pusher-js decodes it to. */
export function decoded(frame: Frame): unknown {
  expect(typeof frame.data).toBe("string");
  return JSON.parse(String(frame.data));
}

/** Signs in with `pusher:signin` as the user `id`. */
export async function signIn(socket: TestSocket, id: string): Promise<void> {
  const userData = JSON.stringify({ id });
  const auth = await signToken(app, userStringToSign(socket.socketId, userData));
  socket.send({ event: "pusher:signin", data: { auth, user_data: userData } });
  expect(await socket.next()).toMatchObject({ event: "pusher:signin_success" });
}

/**
 * Two sockets that share a private channel, used to show that a bad frame
 * on another socket left everyone else working.
 */
export async function bystanders() {
  const channel = unique("private-bystanders-");
  const [a, b] = [await connect(), await connect()];
  await subscribe(a, channel);
  await subscribe(b, channel);
  return {
    async stillWorking(): Promise<void> {
      a.send({ event: "client-check", channel, data: { ok: true } });
      expect(await b.next()).toEqual({ event: "client-check", channel, data: { ok: true } });
      await a.expectSilence();
    },
  };
}

export function clientEvent(channel: string, event = "client-message", data: unknown = { text: "hello" }) {
  return { event, channel, data };
}

/**
 * The exact `pusher:error` a client sees for a frame it should not have sent
 * (code null), or for a refused client event (code 4301).
 */
export function frameErrorOf(message: string | RegExp, code: number | null = null): unknown {
  return {
    event: "pusher:error",
    data: { code, message: typeof message === "string" ? message : expect.stringMatching(message) },
  };
}

/** The exact `pusher:subscription_error` a client sees for a refused subscription. */
export function subscriptionErrorOf(channel: string, type: string, status: number, error: string | RegExp): unknown {
  return {
    event: "pusher:subscription_error",
    channel,
    data: { type, status, error: typeof error === "string" ? error : expect.stringMatching(error) },
  };
}

/**
 * The channels stored for a socket, once the rows written behind are in:
 * in the app's Beacon, or in each of its shards (only the one holding the
 * socket should have any).
 */
export async function storedChannels(socketId: string): Promise<string[]> {
  const stored: string[] = [];
  for (const holder of socketHolders()) {
    const rows = await runInDurableObject(holder, (instance: Beacon, state) => {
      instance.settleWrites();
      return state.storage.sql
        .exec<{ channel: string }>("SELECT channel FROM subscriptions WHERE socket_id = ? ORDER BY channel", socketId)
        .toArray()
        .map((row) => row.channel);
    });
    stored.push(...rows);
  }
  return stored.sort();
}

/** The server side of a test socket, as the Beacon holds it. */
export function heldSocket(state: DurableObjectState, socketId: string): WebSocket {
  const ws = state.getWebSockets().find((candidate) => readAttachment(candidate, APP_KEY)?.socketId === socketId);
  if (ws === undefined) throw new Error(`socket ${socketId} is not held by the Beacon`);
  return ws;
}

export function memberAdded(channel: string, userId: string, userInfo: unknown = {}): Frame {
  return {
    event: "pusher_internal:member_added",
    channel,
    data: JSON.stringify({ user_id: userId, user_info: userInfo }),
  };
}

export function memberRemoved(channel: string, userId: string): Frame {
  return { event: "pusher_internal:member_removed", channel, data: JSON.stringify({ user_id: userId }) };
}
