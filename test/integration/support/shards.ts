import { env, SELF } from "cloudflare:test";
import { expect } from "vitest";
import { channelStringToSign, signToken, userStringToSign } from "../../../src/auth/signatures";
import type { TestApp } from "./apps";
import { appPath, TestSocket } from "./socket";

/** Where a client is, as `request.cf` says it: one point in each of the sharded test app's regions. */
const CLIENTS = {
  weur: { continent: "EU", country: "FR", latitude: "48.85", longitude: "2.35" },
  enam: { continent: "NA", country: "US", latitude: "40.71", longitude: "-74.0" },
  apac: { continent: "AS", country: "JP", latitude: "35.68", longitude: "139.69" },
  oc: { continent: "OC", country: "AU", latitude: "-33.87", longitude: "151.21" },
} as const;

export type TestRegion = keyof typeof CLIENTS;

/** The shard of a region, for an app with one shard per region, listed in the app's order. */
export function shardName(app: TestApp, region: TestRegion): string {
  const regions = app.regions;
  const index = Array.isArray(regions) ? regions.indexOf(region) : -1;
  if (index < 0) throw new Error(`${app.id} has no shard in ${region}`);
  return `${app.id}/shard/${region}/${index}`;
}

export function shardOf(app: TestApp, region: TestRegion) {
  return env.BEACON.getByName(shardName(app, region));
}

/** Opens a socket as a client in `region` would. */
export async function openIn(app: TestApp, region: TestRegion): Promise<TestSocket> {
  const init: RequestInit = { headers: { Upgrade: "websocket" } };
  const response = await SELF.fetch(`http://sower.test${appPath(app.key)}`, { ...init, cf: CLIENTS[region] });
  const ws = response.webSocket;
  if (ws === null) throw new Error(`no WebSocket: HTTP ${response.status}`);
  ws.accept();
  return new TestSocket(ws);
}

/** Opens a socket in `region` and consumes `pusher:connection_established`. */
export async function connectIn(app: TestApp, region: TestRegion): Promise<TestSocket> {
  const socket = await openIn(app, region);
  const established = await socket.next();
  expect(established.event).toBe("pusher:connection_established");
  socket.socketId = (JSON.parse(String(established.data)) as { socket_id: string }).socket_id;
  return socket;
}

/** Subscribes as pusher-js would, signed with the app's secret where the channel needs it; returns the decoded data. */
export async function subscribeIn(
  app: TestApp,
  socket: TestSocket,
  channel: string,
  member?: { user_id: string; user_info?: unknown },
): Promise<unknown> {
  await sendSubscribeIn(app, socket, channel, member);
  const frame = await socket.nextEvent("pusher_internal:subscription_succeeded");
  expect(frame.channel).toBe(channel);
  return JSON.parse(String(frame.data));
}

export async function sendSubscribeIn(
  app: TestApp,
  socket: TestSocket,
  channel: string,
  member?: { user_id: string; user_info?: unknown },
): Promise<void> {
  const channelData = member === undefined ? undefined : JSON.stringify(member);
  const needsAuth = /^(private-|presence-)/.test(channel);
  const auth = needsAuth ? await signToken(app, channelStringToSign(socket.socketId, channel, channelData)) : "";
  socket.send({
    event: "pusher:subscribe",
    data: { channel, auth, ...(channelData === undefined ? {} : { channel_data: channelData }) },
  });
}

/** Signs the socket in as `id`, with a watchlist, and waits for `signin_success`. */
export async function signInAs(app: TestApp, socket: TestSocket, id: string, watchlist?: string[]): Promise<void> {
  const userData = JSON.stringify(watchlist === undefined ? { id } : { id, watchlist });
  const auth = await signToken(app, userStringToSign(socket.socketId, userData));
  socket.send({ event: "pusher:signin", data: { auth, user_data: userData } });
  await socket.nextEvent("pusher:signin_success");
}

/** A REST answer's JSON body. */
export function json(response: { text: string }): unknown {
  return JSON.parse(response.text);
}
