import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { heldSocket } from "./support/channels";
import { hibernate } from "./support/eviction";
import { holderOf } from "./support/objects";
import { connect, type TestSocket } from "./support/socket";

const PUSHER_JS_PING = '{"event":"pusher:ping","data":{}}';

/** When the runtime last answered this socket's ping by itself, or null if it never did. */
async function autoResponseTime(socket: TestSocket): Promise<Date | null> {
  return runInDurableObject(await holderOf(socket.socketId), (_instance, state) => {
    return state.getWebSocketAutoResponseTimestamp(heldSocket(state, socket.socketId));
  });
}

describe("ping and pong", () => {
  it("answers pusher-js's exact ping from the runtime, without waking the hibernated Beacon", async () => {
    const socket = await connect();
    const holder = await holderOf(socket.socketId);
    await hibernate(holder);
    socket.send(PUSHER_JS_PING);
    expect(await socket.next()).toEqual({ event: "pusher:pong", data: {} });
    // Eviction refuses an object that is not running: the ping did not start it.
    await expect(evictDurableObject(holder, { webSockets: "hibernate" })).rejects.toThrow();
    expect(await autoResponseTime(socket)).toBeInstanceOf(Date);
  });

  it("answers other clients' ping spellings from code", async () => {
    for (const ping of [
      '{"event": "pusher:ping"}',
      '{"event":"pusher:ping","data":"{}"}',
      '{"data":{},"event":"pusher:ping"}',
    ]) {
      const socket = await connect();
      socket.send(ping);
      expect(await socket.next()).toEqual({ event: "pusher:pong", data: "{}" });
      expect(await autoResponseTime(socket)).toBeNull();
    }
  });

  it("takes a client's pusher:pong (its answer to a server ping) without an error", async () => {
    const socket = await connect();
    socket.send({ event: "pusher:pong", data: {} });
    socket.send('{"event":"pusher:pong","data":"{}"}');
    await socket.expectSilence();
  });
});
