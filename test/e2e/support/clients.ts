import Pusher from "pusher";
import PusherClient from "pusher-js";
import { inject } from "vitest";
import type { ServerInfo } from "./server";

/** The backend SDK, pointed at the local server exactly as a user would point it. */
export function backend(server: ServerInfo = inject("sower")): Pusher {
  const { host, port, appId, key, secret } = server;
  return new Pusher({ appId, key, secret, host, port: String(port), useTLS: false });
}

type ClientOptions = ConstructorParameters<typeof PusherClient>[1];

/**
 * A pusher-js client with only the host changed. Private and presence
 * channels are authorized in-process by the `pusher` SDK, as an app's auth
 * endpoint would do.
 */
export function client(
  options: Partial<ClientOptions> & { presence?: Pusher.PresenceChannelData } = {},
  server: ServerInfo = inject("sower"),
) {
  const { host, port, key } = server;
  const sdk = backend(server);
  const { presence, ...rest } = options;
  const pusher = new PusherClient(key, {
    cluster: "",
    wsHost: host,
    wsPort: port,
    forceTLS: false,
    enabledTransports: ["ws"],
    disableStats: true,
    channelAuthorization: {
      endpoint: "/unused",
      transport: "ajax",
      customHandler: ({ socketId, channelName }, callback) => {
        try {
          // Only presence channels sign channel_data; a private channel's token covers socket:channel.
          const data = channelName.startsWith("presence-") ? presence : undefined;
          callback(null, sdk.authorizeChannel(socketId, channelName, data));
        } catch (error) {
          callback(error instanceof Error ? error : new Error(String(error)), null);
        }
      },
    },
    ...rest,
  });
  return pusher;
}

/** Resolves with the first emission of `event` on `emitter`, or fails after `ms`. */
export function once<T = unknown>(
  emitter: {
    bind: (event: string, callback: (data: T) => void) => unknown;
    unbind: (event: string, callback: (data: T) => void) => unknown;
  },
  event: string,
  ms = 5000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.unbind(event, handler);
      reject(new Error(`timed out waiting for ${event}`));
    }, ms);
    const handler = (data: T) => {
      clearTimeout(timer);
      emitter.unbind(event, handler);
      resolve(data);
    };
    emitter.bind(event, handler);
  });
}

export function connected(pusher: PusherClient, ms = 5000): Promise<void> {
  if (pusher.connection.state === "connected") return Promise.resolve();
  return once(pusher.connection, "connected", ms).then(() => undefined);
}

let counter = 0;
/** Channel names unique per test run, so tests never see each other's traffic. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}-${process.pid}-${counter}`;
}
