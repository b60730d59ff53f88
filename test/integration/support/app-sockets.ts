import { SELF } from "cloudflare:test";
import { expect } from "vitest";
import { TestSocket } from "./socket";

/** Opens a socket on any app's key, with extra request headers such as Origin. */
export async function openAppSocket(key: string, headers: Record<string, string> = {}): Promise<TestSocket> {
  const response = await SELF.fetch(`http://sower.test/app/${key}?protocol=7&client=js&version=8.6.0&flash=false`, {
    headers: { Upgrade: "websocket", ...headers },
  });
  const ws = response.webSocket;
  if (ws === null) throw new Error(`no WebSocket: HTTP ${response.status}`);
  ws.accept();
  return new TestSocket(ws);
}

/** Opens a socket on an app and consumes `pusher:connection_established`. */
export async function connectApp(key: string, headers: Record<string, string> = {}): Promise<TestSocket> {
  const socket = await openAppSocket(key, headers);
  const established = await socket.next();
  expect(established.event).toBe("pusher:connection_established");
  const data = JSON.parse(String(established.data)) as { socket_id: string };
  socket.socketId = data.socket_id;
  return socket;
}

/** Asserts the exact refusal a client sees: one `pusher:error` frame, then a close with the same code. */
export async function expectRefused(socket: TestSocket, code: number, message: string): Promise<void> {
  expect(await socket.next()).toEqual({ event: "pusher:error", data: { code, message } });
  expect((await socket.waitClosed()).code).toBe(code);
}
