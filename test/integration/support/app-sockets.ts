import { appPath, connect, openSocket, type TestSocket } from "./socket";

/** Opens a socket on any app's key, with extra request headers such as Origin. */
export function openAppSocket(key: string, headers: Record<string, string> = {}): Promise<TestSocket> {
  return openSocket(appPath(key), headers);
}

/** Opens a socket on an app and consumes `pusher:connection_established`. */
export function connectApp(key: string, headers: Record<string, string> = {}): Promise<TestSocket> {
  return connect(appPath(key), headers);
}
