import Pusher from "pusher";
import PusherClient from "pusher-js";
import { afterEach, inject } from "vitest";
import type { ServerInfo } from "./server";

/** The backend SDK, pointed at the local server exactly as a user would point it. */
export function backend(server: ServerInfo = inject("sower"), options: Partial<Pusher.Options> = {}): Pusher {
  const { host, port, appId, key, secret } = server;
  return new Pusher({ appId, key, secret, host, port: String(port), useTLS: false, ...options });
}

type ClientOptions = ConstructorParameters<typeof PusherClient>[1];

/**
 * A pusher-js client with only the host changed. Private and presence
 * channels are authorized in-process by the `pusher` SDK, as an app's auth
 * endpoint would do.
 */
export interface ClientExtras {
  /** channel_data the auth endpoint signs for presence channels. */
  presence?: Pusher.PresenceChannelData;
  /** user_data the user-authentication endpoint signs for `signin()`. */
  user?: Pusher.UserChannelData;
  /** Another server than the shared one. */
  server?: ServerInfo;
  /** Another client build, such as `pusher-js/with-encryption`. */
  build?: typeof PusherClient;
  /** Options for the SDK that plays the app's auth endpoint. */
  sdkOptions?: Partial<Pusher.Options>;
}

export function client(options: Partial<ClientOptions> & ClientExtras = {}) {
  const { presence, user, server = inject("sower"), build = PusherClient, sdkOptions, ...rest } = options;
  const { host, port, key } = server;
  const sdk = backend(server, sdkOptions);
  const pusher = new build(key, {
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
    userAuthentication: {
      endpoint: "/unused",
      transport: "ajax",
      customHandler: ({ socketId }, callback) => {
        if (user === undefined) {
          callback(new Error("this test client has no user"), null);
          return;
        }
        callback(null, sdk.authenticateUser(socketId, user));
      },
    },
    ...rest,
  });
  return pusher;
}

interface Emitter<T> {
  bind: (event: string, callback: (data: T) => void) => unknown;
  unbind: (event: string, callback: (data: T) => void) => unknown;
}

/** Resolves with the first emission of `event` on `emitter`, or fails after `ms`. */
export function once<T = unknown>(emitter: Emitter<T>, event: string, ms = 5000): Promise<T> {
  return onceWhere(emitter, event, () => true, ms);
}

/** Resolves with the first emission of `event` that `matches`, or fails after `ms`. */
export function onceWhere<T = unknown>(
  emitter: Emitter<T>,
  event: string,
  matches: (data: T) => boolean,
  ms = 5000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.unbind(event, handler);
      reject(new Error(`timed out waiting for ${event}`));
    }, ms);
    const handler = (data: T) => {
      if (!matches(data)) return;
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

/** Subscribes and waits until the server has confirmed it. */
export async function subscribed(pusher: PusherClient, name: string) {
  const channel = pusher.subscribe(name);
  await once(channel, "pusher:subscription_succeeded");
  return channel;
}

let counter = 0;
/** Channel names unique per test run, so tests never see each other's traffic. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}-${process.pid}-${counter}`;
}

/** Returns `track`: every client passed to it is disconnected when its test ends. */
export function disconnectAfterEach(): (pusher: PusherClient) => PusherClient {
  const open: PusherClient[] = [];
  afterEach(() => {
    for (const pusher of open.splice(0)) pusher.disconnect();
  });
  return (pusher) => {
    open.push(pusher);
    return pusher;
  };
}
