import { createHmac } from "node:crypto";
import { EVENTS, PROTOCOL_VERSION } from "../../src/protocol/constants.ts";
import { BENCH_APP, type Signer } from "./app.ts";

/**
 * Client frames byte for byte as pusher-js 8.6 sends them: `send_event`
 * JSON-encodes `{event, data}` and appends `channel` when there is one;
 * subscribe data is `{auth, channel_data, channel}` with an undefined
 * channel_data dropped by JSON.stringify.
 */
const PUSHER_JS_VERSION = "8.6.0";

export function socketPath(key: string): string {
  return `/app/${key}?protocol=${PROTOCOL_VERSION}&client=js&version=${PUSHER_JS_VERSION}&flash=false`;
}

export function subscribeFrame(channel: string, auth: string, channelData?: string): string {
  return JSON.stringify({ event: EVENTS.subscribe, data: { auth, channel_data: channelData, channel } });
}

export function unsubscribeFrame(channel: string): string {
  return JSON.stringify({ event: EVENTS.unsubscribe, data: { channel } });
}

export function clientEventFrame(event: string, data: unknown, channel: string): string {
  return JSON.stringify({ event, data, channel });
}

/** What an app's auth endpoint returns (`key:HMAC(socket_id:channel[:channel_data])`). */
export function channelAuth(
  socketId: string,
  channel: string,
  channelData?: string,
  signer: Signer = BENCH_APP,
): string {
  const signed = channelData === undefined ? `${socketId}:${channel}` : `${socketId}:${channel}:${channelData}`;
  return `${signer.key}:${createHmac("sha256", signer.secret).update(signed).digest("hex")}`;
}

/** `pusher:signin` as pusher-js sends it: the user data as a JSON string, and its auth. */
export function signInFrame(userData: string, auth: string): string {
  return JSON.stringify({ event: EVENTS.signin, data: { auth, user_data: userData } });
}

/** What an app's user authentication endpoint returns (`key:HMAC(socket_id::user::user_data)`). */
export function userAuth(socketId: string, userData: string, signer: Signer = BENCH_APP): string {
  const signed = `${socketId}::user::${userData}`;
  return `${signer.key}:${createHmac("sha256", signer.secret).update(signed).digest("hex")}`;
}
