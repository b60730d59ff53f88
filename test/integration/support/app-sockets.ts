import { signToken } from "../../../src/auth/signatures";
import type { TestApp } from "./apps";
import { appPath, connect, type Frame, openSocket, type TestSocket } from "./socket";

/** Opens a socket on any app's key, with extra request headers such as Origin. */
export function openAppSocket(key: string, headers: Record<string, string> = {}): Promise<TestSocket> {
  return openSocket(appPath(key), headers);
}

/** Opens a socket on an app and consumes `pusher:connection_established`. */
export function connectApp(key: string, headers: Record<string, string> = {}): Promise<TestSocket> {
  return connect(appPath(key), headers);
}

/** Subscribes to a public or private channel, signed with the app's secret; returns `subscription_succeeded`. */
export async function subscribeApp(socket: TestSocket, app: TestApp, channel: string): Promise<Frame> {
  const auth = channel.startsWith("private-") ? await signToken(app, `${socket.socketId}:${channel}`) : "";
  socket.send({ event: "pusher:subscribe", data: { channel, auth } });
  return socket.nextEvent("pusher_internal:subscription_succeeded");
}
