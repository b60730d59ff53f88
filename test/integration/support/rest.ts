import { SELF } from "cloudflare:test";
import { expect } from "vitest";
import { hmacHex, type SignOptions, signedPath } from "../../support/rest-signer";
import { APP_ID, APP_KEY, APP_SECRET, type Frame, type TestSocket } from "./socket";

export const BASE = "http://sower.test";

export interface RestOptions extends Partial<Omit<SignOptions, "method" | "path" | "body">> {
  /** A JSON value (encoded here) or the exact body text. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** A request signed as a backend SDK signs it, against the default app. */
export async function restRequest(
  method: SignOptions["method"],
  path: string,
  options: RestOptions = {},
): Promise<Request> {
  const { body, headers, ...sign } = options;
  const text = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
  const full = `/apps/${APP_ID}${path}`;
  const url = await signedPath({ key: APP_KEY, secret: APP_SECRET, ...sign, method, path: full, body: text });
  return new Request(`${BASE}${url}`, {
    method,
    ...(text === undefined ? {} : { body: text }),
    headers: { "content-type": "application/json", ...headers },
  });
}

export async function rest(method: SignOptions["method"], path: string, options: RestOptions = {}) {
  const response = await SELF.fetch(await restRequest(method, path, options));
  const text = await response.text();
  return { status: response.status, text, headers: response.headers, json: () => JSON.parse(text) as unknown };
}

/** Expects a refusal with this status and a message containing `message`. */
export async function expectRefusal(
  request: Promise<{ status: number; text: string }>,
  status: number,
  message: string,
): Promise<void> {
  const response = await request;
  expect({ status: response.status, text: response.text }).toEqual({ status, text: expect.stringContaining(message) });
}

export function trigger(channels: string | string[], name: string, data: string, extra: Record<string, unknown> = {}) {
  const target = Array.isArray(channels) ? { channels } : { channel: channels };
  return rest("POST", "/events", { body: { name, data, ...target, ...extra } });
}

/** Subscribes with a token signed as an app's auth endpoint would sign it. */
export async function subscribe(
  socket: TestSocket,
  channel: string,
  member?: { user_id: string; user_info?: unknown },
): Promise<Frame> {
  const channelData = member === undefined ? undefined : JSON.stringify(member);
  const needsAuth = /^(private-|presence-)/.test(channel);
  const signed =
    channelData === undefined ? `${socket.socketId}:${channel}` : `${socket.socketId}:${channel}:${channelData}`;
  const auth = needsAuth ? `${APP_KEY}:${await hmacHex(APP_SECRET, signed)}` : "";
  socket.send({
    event: "pusher:subscribe",
    data: { channel, auth, ...(channelData ? { channel_data: channelData } : {}) },
  });
  return socket.nextEvent("pusher_internal:subscription_succeeded");
}

/** Signs the socket in as `id` (pusher:signin) and waits for signin_success. */
export async function signIn(socket: TestSocket, id: string): Promise<void> {
  const userData = JSON.stringify({ id });
  const auth = `${APP_KEY}:${await hmacHex(APP_SECRET, `${socket.socketId}::user::${userData}`)}`;
  socket.send({ event: "pusher:signin", data: { auth, user_data: userData } });
  await socket.nextEvent("pusher:signin_success");
}
