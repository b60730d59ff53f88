import type Pusher from "pusher";
import { nowMs, TICK_EVENT, type Tick, tickerChannel } from "./tick.ts";

export interface PublisherOptions {
  pusher: Pusher;
  symbol: string;
  /** Updates per second. */
  rate: number;
  /** Stop after this many updates (default: until `stop`). */
  count?: number;
  /** First price of the random walk. */
  startPrice?: number;
}

export interface Publisher {
  /** Resolves with the number of updates published once the last one is answered. */
  done: Promise<number>;
  /** Stops after the update in flight. */
  stop(): Promise<number>;
}

/**
 * The upstream source: a simulated price that moves by random steps, published
 * into Sower with one trigger per update however many viewers watch. Each
 * trigger is awaited before the next, so updates reach every viewer in order.
 */
export function startPublisher({
  pusher,
  symbol,
  rate,
  count = Infinity,
  startPrice = 100,
}: PublisherOptions): Publisher {
  const channel = tickerChannel(symbol);
  const intervalMs = 1000 / rate;
  let stopped = false;
  let price = startPrice;

  async function run(): Promise<number> {
    const started = nowMs();
    let seq = 0;
    while (!stopped && seq < count) {
      // Paced against the start, so a slow answer is caught up rather than drifting.
      const due = started + seq * intervalMs;
      const wait = due - nowMs();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (stopped) break;
      seq += 1;
      price = Math.max(0.01, Math.round((price + (Math.random() - 0.5) * price * 0.002) * 100) / 100);
      const tick: Tick = { seq, symbol, price, sentAt: nowMs() };
      await pusher.trigger(channel, TICK_EVENT, tick);
    }
    return seq;
  }

  const done = run();
  return {
    done,
    stop() {
      stopped = true;
      return done;
    },
  };
}
