import { channelAuth, subscribeFrame } from "../bench/load/frames.ts";
import { EVENTS } from "../src/protocol/constants.ts";
import type { ServerInfo } from "../test/e2e/support/server.ts";
import { SoakSocket } from "./load/soak-socket.ts";

/** What the runtime decides before Sower's code sees a frame, as observed. */
export interface RuntimeLimitsReport {
  /** Size of the frame sent past the runtime's cap. */
  oversizedBytes: number;
  /** The close code it got (the runtime's own 1009 expected), or undefined if it was not closed. */
  oversizedClose: number | undefined;
  /** What a subscriber got for a client event whose data held the bytes 0xFF and 0xC0 0xAF. */
  invalidUtf8Delivered: string | undefined;
}

/** Past 32 MiB the runtime refuses a frame itself. */
const RUNTIME_FRAME_CAP = 32 * 1024 * 1024;

/**
 * Checks what is left to the runtime: a frame over 32 MiB is closed by the
 * runtime with 1009 before Sower sees it, and text that is not valid UTF-8
 * reaches Sower decoded with replacement characters (U+FFFD).
 */
export async function checkRuntimeLimits(server: ServerInfo, tag: string): Promise<RuntimeLimitsReport> {
  const oversizedBytes = RUNTIME_FRAME_CAP + 1024 * 1024;
  const big = await SoakSocket.open(server);
  big.send(`{"event":"client-big","channel":"private-x","data":"${"x".repeat(oversizedBytes)}"}`);
  const closed = await Promise.race([big.closed, new Promise<undefined>((resolve) => setTimeout(resolve, 30_000))]);
  if (closed === undefined) big.terminate();

  const channel = `private-soak-utf8-${tag}`;
  const [sender, receiver] = [await SoakSocket.open(server), await SoakSocket.open(server)];
  for (const socket of [sender, receiver]) {
    const done = socket.next((frame) => frame.channel === channel, 10_000);
    socket.send(subscribeFrame(channel, channelAuth(socket.socketId, channel, undefined, server)));
    if ((await done).event !== EVENTS.subscriptionSucceeded) throw new Error("could not subscribe for the UTF-8 check");
  }
  const delivered = receiver.next((frame) => frame.event === "client-utf8", 10_000).catch(() => undefined);
  const invalid = Buffer.from([0x61, 0xff, 0x62, 0xc0, 0xaf, 0x63]);
  sender.sendBytes(
    Buffer.concat([Buffer.from(`{"event":"client-utf8","channel":"${channel}","data":"`), invalid, Buffer.from('"}')]),
    false,
  );
  const frame = await delivered;
  for (const socket of [sender, receiver]) socket.close();
  return {
    oversizedBytes,
    oversizedClose: closed?.code,
    invalidUtf8Delivered: typeof frame?.data === "string" ? frame.data : undefined,
  };
}
