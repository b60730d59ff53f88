import Pusher from "pusher";

/** Where the Pusher-protocol server (Sower) is, and the app's credentials on it. */
export interface SowerSettings {
  PUSHER_APP_ID: string;
  PUSHER_KEY: string;
  /** A secret: `wrangler secret put PUSHER_SECRET`, or `.dev.vars` locally. */
  PUSHER_SECRET: string;
  PUSHER_HOST: string;
  PUSHER_PORT: string;
  /** "true" for https/wss (a deployed Sower), "false" for a local one. */
  PUSHER_USE_TLS: string;
}

const clients = new WeakMap<SowerSettings, Pusher>();

/** The `pusher` SDK pointed at Sower; one per isolate, since the settings never change while it runs. */
export function pusherFor(settings: SowerSettings): Pusher {
  let pusher = clients.get(settings);
  if (pusher === undefined) {
    pusher = new Pusher({
      appId: settings.PUSHER_APP_ID,
      key: settings.PUSHER_KEY,
      secret: settings.PUSHER_SECRET,
      host: settings.PUSHER_HOST,
      port: settings.PUSHER_PORT,
      useTLS: settings.PUSHER_USE_TLS === "true",
    });
    clients.set(settings, pusher);
  }
  return pusher;
}

/** What the page needs to connect pusher-js: nothing secret. */
export function clientSettings(settings: SowerSettings) {
  const forceTLS = settings.PUSHER_USE_TLS === "true";
  const port = Number(settings.PUSHER_PORT);
  return {
    key: settings.PUSHER_KEY,
    options: {
      cluster: "",
      wsHost: settings.PUSHER_HOST,
      ...(forceTLS ? { wssPort: port } : { wsPort: port }),
      forceTLS,
      enabledTransports: ["ws", "wss"],
      disableStats: true,
    },
  };
}

/**
 * Publishes in the order asked. A Durable Object keeps taking requests while
 * one awaits a trigger, so two quick increments could otherwise reach Sower
 * the wrong way round and leave the older value cached.
 */
export class Publisher {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly pusher: Pusher) {}

  publish(channel: string, event: string, data: unknown): Promise<void> {
    const sent = this.tail.then(() => this.pusher.trigger(channel, event, data)).then(() => undefined);
    this.tail = sent.catch(() => undefined);
    return sent;
  }
}
