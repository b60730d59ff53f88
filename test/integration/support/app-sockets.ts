import { expect } from "vitest";
import { appPath, connect, openSocket, type TestSocket } from "./socket";

/** Opens a socket on any app's key, with extra request headers such as Origin. */
export function openAppSocket(key: string, headers: Record<string, string> = {}): Promise<TestSocket> {
  return openSocket(appPath(key), headers);
}

/** Opens a socket on an app and consumes `pusher:connection_established`. */
export function connectApp(key: string, headers: Record<string, string> = {}): Promise<TestSocket> {
  return connect(appPath(key), headers);
}

/** Asserts the exact refusal a client sees: one `pusher:error` frame, then a close with the same code. */
export async function expectRefused(socket: TestSocket, code: number, message: string): Promise<void> {
  expect(await socket.next()).toEqual({ event: "pusher:error", data: { code, message } });
  expect((await socket.waitClosed()).code).toBe(code);
}
