import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { backendSdk, type SowerConnection } from "../../shared/sower.ts";
import { hostDirect } from "../src/measure-host.ts";
import { startPublisher } from "../src/publisher.ts";
import { type ChannelEvent, openRawViewer, type RawViewer, socketUrl } from "../src/raw-viewer.ts";
import { tcpQueues } from "../src/tcp-queues.ts";
import { parseTick, TICK_EVENT, type Tick, tickerChannel } from "../src/tick.ts";
import { type Viewer, watchTicker } from "../src/viewer.ts";

let sower: SowerConnection;
let stopSower: () => Promise<void>;

// Sower in workerd without wrangler dev's proxy, so a stalled viewer backs up Sower's own socket.
beforeAll(async () => {
  const local = await hostDirect();
  sower = local.sower;
  stopSower = local.stop;
});

afterAll(async () => {
  await stopSower?.();
});

const open: Array<Viewer | RawViewer> = [];
afterEach(() => {
  for (const viewer of open.splice(0)) "leave" in viewer ? viewer.leave() : viewer.close();
});

let symbols = 0;
function newSymbol(): string {
  symbols += 1;
  return `SYM${process.pid}x${symbols}`;
}

/** A pusher-js viewer that keeps every tick it sees. */
async function viewer(symbol: string) {
  const ticks: Tick[] = [];
  const arrivals: Array<() => void> = [];
  const watching = watchTicker(sower, symbol, (tick) => {
    ticks.push(tick);
    for (const arrived of arrivals.splice(0)) arrived();
  });
  open.push(watching);
  await watching.subscribed;
  /** Resolves once the viewer has seen `count` ticks in all. */
  const seen = async (count: number, ms = 10_000) => {
    const deadline = Date.now() + ms;
    while (ticks.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`saw ${ticks.length} of ${count} ticks`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        arrivals.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  };
  return { ticks, seen, watching };
}

const seqs = (ticks: Tick[]) => ticks.map((tick) => tick.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index);

describe("one upstream feed, many viewers", () => {
  it("shows a new viewer the last price at once, while viewers come and go", async () => {
    const symbol = newSymbol();
    const sdk = backendSdk(sower);
    const early = await viewer(symbol);
    const leaving = await viewer(symbol);
    expect(await startPublisher({ pusher: sdk, symbol, rate: 20, count: 3 }).done).toBe(3);
    await Promise.all([early.seen(3), leaving.seen(3)]);

    leaving.watching.leave();
    const late = await viewer(symbol);
    // Nothing new was published: what the late viewer sees is Sower's cached last tick.
    await late.seen(1);
    expect(late.ticks[0]).toEqual(early.ticks[2]);

    const more = startPublisher({ pusher: sdk, symbol, rate: 20, count: 2, startPrice: 50 });
    expect(await more.done).toBe(2);
    await Promise.all([early.seen(5), late.seen(3)]);
    expect(seqs(early.ticks)).toEqual([1, 2, 3, 1, 2]);
    expect(seqs(late.ticks)).toEqual([3, 1, 2]);
    expect(seqs(leaving.ticks)).toEqual([1, 2, 3]);
  });

  it("keeps 100 viewers complete and in order while one stalled viewer's connection is backed up", async () => {
    const symbol = newSymbol();
    const sdk = backendSdk(sower);
    const viewers = await Promise.all(Array.from({ length: 100 }, () => viewer(symbol)));

    // The stalled viewer stops reading its socket, then has megabytes queued towards it on a
    // channel of its own, so the server's sends to it back up before the feed starts.
    const stalledEvents: ChannelEvent[] = [];
    const stalled = await openRawViewer(socketUrl(sower.host, sower.port, sower.key), (event) => {
      stalledEvents.push(event);
    });
    open.push(stalled);
    const backlog = `backlog-${symbol}`;
    await stalled.subscribe(tickerChannel(symbol));
    await stalled.subscribe(backlog);
    stalled.ws.pause();
    const padding = "x".repeat(9000);
    const backlogEvents = 600;
    for (let batch = 0; batch < backlogEvents / 10; batch++) {
      await sdk.triggerBatch(
        range(1, 10).map((n) => ({ channel: backlog, name: "backlog", data: { n: batch * 10 + n, padding } })),
      );
    }

    // Megabytes wait in the kernel towards the stalled viewer; the rest wait in the server.
    const unsent = () => tcpQueues(stalled.localPort ?? 0, sower.port)?.serverUnsent ?? 0;
    await expect.poll(unsent, { timeout: 5000 }).toBeGreaterThan(2 * 1024 * 1024);

    const published = await startPublisher({ pusher: sdk, symbol, rate: 20, count: 60 }).done;
    expect(published).toBe(60);
    await Promise.all(viewers.map((each) => each.seen(60)));
    for (const each of viewers) expect(seqs(each.ticks)).toEqual(range(1, 60));
    expect(stalledEvents).toEqual([]);

    // Resumed, the stalled viewer gets everything that waited for it, in order: nothing was dropped.
    const everything = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (stalledEvents.length < backlogEvents + 60) return;
        clearInterval(check);
        resolve();
      }, 50);
    });
    stalled.ws.resume();
    await everything;
    const ticks = stalledEvents.filter((event) => event.event === TICK_EVENT);
    expect(stalledEvents.length - ticks.length).toBe(backlogEvents);
    expect(ticks.map((event) => parseTick(JSON.parse(event.data))?.seq)).toEqual(range(1, 60));
  });
});
