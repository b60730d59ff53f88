import PusherClient from "pusher-js";
import { clientOptions, type SowerConnection } from "../../shared/sower.ts";
import { parseTick, TICK_EVENT, type Tick, tickerChannel } from "./tick.ts";

export interface Viewer {
  pusher: PusherClient;
  /** Resolves once subscribed; the last cached tick, if any, follows at once. */
  subscribed: Promise<void>;
  leave(): void;
}

/** A viewer of one ticker with pusher-js, as a page would watch it. */
export function watchTicker(sower: SowerConnection, symbol: string, onTick: (tick: Tick) => void): Viewer {
  const pusher = new PusherClient(sower.key, clientOptions(sower));
  const channel = pusher.subscribe(tickerChannel(symbol));
  channel.bind(TICK_EVENT, (data: unknown) => {
    const tick = parseTick(data);
    if (tick !== undefined) onTick(tick);
  });
  const subscribed = new Promise<void>((resolve, reject) => {
    channel.bind("pusher:subscription_succeeded", () => resolve());
    channel.bind("pusher:subscription_error", (error: unknown) =>
      reject(new Error(`subscription refused: ${JSON.stringify(error)}`)),
    );
  });
  return { pusher, subscribed, leave: () => pusher.disconnect() };
}
