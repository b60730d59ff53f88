import WebSocket from "ws";

/**
 * A viewer that speaks the Pusher protocol on a bare `ws` socket, for load and
 * for stalling on purpose (pusher-js offers no way to stop reading a socket).
 */
export interface RawViewer {
  ws: WebSocket;
  /** This end's TCP port, to find the connection in the kernel's tables. */
  localPort: number | undefined;
  /** Resolves once `channel` is subscribed. */
  subscribe(channel: string): Promise<void>;
  close(): void;
}

export interface ChannelEvent {
  event: string;
  channel: string;
  /** The event's data, still a JSON string as it travels. */
  data: string;
}

export async function openRawViewer(
  url: string,
  onEvent: (event: ChannelEvent) => void,
  timeoutMs = 30_000,
): Promise<RawViewer> {
  const ws = new WebSocket(url);
  const waiting = new Map<string, () => void>();
  let localPort: number | undefined;
  ws.once("upgrade", (response) => {
    localPort = response.socket.localPort;
  });
  const established = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no pusher:connection_established in time")), timeoutMs);
    ws.once("error", reject);
    ws.on("message", (raw) => {
      const frame: unknown = JSON.parse(raw.toString());
      if (typeof frame !== "object" || frame === null) return;
      const { event, channel, data } = Object.fromEntries(Object.entries(frame));
      if (event === "pusher:connection_established") {
        clearTimeout(timer);
        resolve();
      } else if (event === "pusher_internal:subscription_succeeded" && typeof channel === "string") {
        waiting.get(channel)?.();
        waiting.delete(channel);
      } else if (typeof event === "string" && !event.startsWith("pusher")) {
        // Channel events only: the protocol's own (cache misses, counts) start with "pusher".
        if (typeof channel === "string" && typeof data === "string") onEvent({ event, channel, data });
      }
    });
  });
  await established;
  return {
    ws,
    localPort,
    subscribe(channel) {
      const subscribed = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no subscription_succeeded for ${channel} in time`)),
          timeoutMs,
        );
        waiting.set(channel, () => {
          clearTimeout(timer);
          resolve();
        });
      });
      ws.send(JSON.stringify({ event: "pusher:subscribe", data: { channel } }));
      return subscribed;
    },
    close: () => ws.close(),
  };
}

/** The socket URL of an app, as pusher-js builds it. */
export function socketUrl(host: string, port: number, key: string, tls = false): string {
  return `${tls ? "wss" : "ws"}://${host}:${port}/app/${key}?protocol=7&client=js&version=8.6.0&flash=false`;
}
