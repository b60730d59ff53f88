import { afterEach, describe, expect, it, vi } from "vitest";
import { bystanders, clientEvent, frameErrorOf, subscribe, unique } from "./support/channels";
import { trigger } from "./support/rest";
import { connect, type Frame, type TestSocket } from "./support/socket";

/*
 * The default app allows 10 client events per socket and second, so a socket
 * is closed past 200 frames in one second (20 times that), and is told about
 * at most 10 refusals a second (docs/protocol.md §8.5).
 */
const CEILING = 200;
const RATE_REFUSAL = frameErrorOf("Client event rate limit reached: at most 10 per second", 4301);
const FLOOD_CLOSE = frameErrorOf(`Closed: more than ${CEILING} messages in one second`, 4301);

/** Two sockets on one private channel: `sender` floods, `receiver` listens. */
async function pair() {
  const channel = unique("private-flood-");
  const [sender, receiver] = [await connect(), await connect()];
  await subscribe(sender, channel);
  await subscribe(receiver, channel);
  return { channel, sender, receiver };
}

/** Every frame a socket receives until the server closes it. */
async function framesUntilClosed(socket: TestSocket): Promise<Frame[]> {
  const frames: Frame[] = [];
  for (;;) {
    try {
      frames.push(await socket.next());
    } catch (error) {
      if (socket.closed !== undefined) return frames;
      throw error;
    }
  }
}

/** What the Beacon logged through console.warn and console.error while `action` ran. */
async function logged(action: () => Promise<void>) {
  const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
  const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
  await action();
  const lines = (spy: typeof warn) => spy.mock.calls.map(([line]) => JSON.parse(String(line)) as { message: string });
  return { warnings: lines(warn), errors: lines(error) };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("a socket flooding the Beacon", () => {
  it("is told with pusher:error 4301, then closed with 4301, after a bounded handful of refusals", async () => {
    const { channel, sender, receiver } = await pair();
    const logs = await logged(async () => {
      for (let i = 0; i < 3 * CEILING; i++) sender.send(clientEvent(channel, "client-flood", { i }));
      const frames = await framesUntilClosed(sender);
      // Events 1-10 are relayed, 11-200 refused (the first 10 told), the 201st closes the socket.
      expect(frames).toEqual([...Array.from({ length: 10 }, () => RATE_REFUSAL), FLOOD_CLOSE]);
      expect(sender.closed?.code).toBe(4301);
    });
    for (let i = 0; i < 10; i++) expect(await receiver.next()).toEqual({ event: "client-flood", channel, data: { i } });
    await receiver.expectSilence();
    // The frames after the ceiling cost one log line in all, and no error.
    expect(logs.warnings.filter((line) => line.message === "socket closed for flooding")).toHaveLength(1);
    expect(logs.errors).toEqual([]);
  });

  it("counts frames of every kind: a flood of garbage is closed like a flood of client events", async () => {
    const socket = await connect();
    for (let i = 0; i < 3 * CEILING; i++) socket.send(i % 2 === 0 ? "not json" : { event: "pusher:ping" });
    const frames = await framesUntilClosed(socket);
    expect(frames.at(-1)).toEqual(FLOOD_CLOSE);
    expect(frames.filter((frame) => frame.event === "pusher:error")).toHaveLength(11);
    expect(socket.closed?.code).toBe(4301);
  });

  it("leaves the other sockets of the app hearing REST events and client events meanwhile and after", async () => {
    const others = await bystanders();
    const listener = await connect();
    const news = unique("news-");
    await subscribe(listener, news);
    const { channel, sender } = await pair();
    for (let i = 0; i < 3 * CEILING; i++) sender.send(clientEvent(channel, "client-flood", { i }));
    expect((await trigger(news, "during", '{"n":1}')).status).toBe(200);
    await others.stillWorking();
    expect(await listener.next()).toEqual({ event: "during", channel: news, data: '{"n":1}' });
    expect((await sender.waitClosed()).code).toBe(4301);
    expect((await trigger(news, "after", '{"n":2}')).status).toBe(200);
    expect(await listener.next()).toEqual({ event: "after", channel: news, data: '{"n":2}' });
    await others.stillWorking();
    // A new socket still connects and subscribes.
    await subscribe(await connect(), unique("late-"));
  });

  it("keeps a socket that bursts within the ceiling: 100 subscribes and 30 client events in a second", async () => {
    const { channel, receiver } = await pair();
    const socket = await connect();
    await subscribe(socket, channel);
    const publics = Array.from({ length: 99 }, () => unique("burst-"));
    for (const name of publics) socket.send({ event: "pusher:subscribe", data: { channel: name, auth: "" } });
    for (const name of publics) {
      expect(await socket.next()).toMatchObject({ event: "pusher_internal:subscription_succeeded", channel: name });
    }
    for (let i = 0; i < 30; i++) socket.send(clientEvent(channel, "client-burst", { i }));
    for (let i = 0; i < 10; i++) expect(await receiver.next()).toEqual({ event: "client-burst", channel, data: { i } });
    for (let i = 0; i < 10; i++) expect(await socket.next()).toEqual(RATE_REFUSAL);
    await socket.expectSilence();
    await receiver.expectSilence();
    expect(socket.closed).toBeUndefined();
  });

  it("tells a socket of at most 10 refusals a second, then refuses silently until the next second", async () => {
    const socket = await connect();
    const outside = unique("private-not-mine-");
    for (let i = 0; i < 100; i++) socket.send(clientEvent(outside));
    for (let i = 0; i < 50; i++) socket.send("not json");
    for (let i = 0; i < 10; i++) {
      expect(await socket.next()).toEqual(frameErrorOf(`Client event rejected: not subscribed to '${outside}'`, 4301));
    }
    await socket.expectSilence();
    expect(socket.closed).toBeUndefined();
    // Nothing else to wait on: the window is a second of the Beacon's clock.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    socket.send("not json");
    expect(await socket.next()).toEqual(frameErrorOf("Frame is not valid JSON"));
  });
});
