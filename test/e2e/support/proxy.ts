import { type RawData, WebSocket, WebSocketServer } from "ws";

/** Close codes a peer may send on the wire (1005 and 1006 are only ever reported, never sent). */
function sendable(code: number): number {
  return code === 1005 || code === 1006 ? 1000 : code;
}

interface Pair {
  client: WebSocket;
  upstream: WebSocket;
}

/**
 * A WebSocket relay between clients and the server, for tests only. It lets a
 * test close the client side with a close code of its choosing, which is how
 * a real deployment drops sockets (a redeploy, a terminated user, a lost
 * network), without giving the server itself a way to be told to do so.
 * It also records what clients send, so tests can see the exact frames.
 */
export class DropProxy {
  readonly sent: string[] = [];
  /** How many client sockets have ever connected through the relay. */
  connections = 0;
  private readonly pairs = new Set<Pair>();

  private constructor(
    private readonly server: WebSocketServer,
    readonly port: number,
  ) {}

  static start(target: { host: string; port: number }): Promise<DropProxy> {
    return new Promise((resolve, reject) => {
      const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
      server.once("error", reject);
      server.once("listening", () => {
        const address = server.address();
        if (typeof address !== "object" || address === null) return reject(new Error("relay has no port"));
        const proxy = new DropProxy(server, address.port);
        server.on("connection", (client, request) =>
          proxy.relay(client, `ws://${target.host}:${target.port}${request.url ?? "/"}`),
        );
        resolve(proxy);
      });
    });
  }

  /** Closes every client socket open now with `code`, as the server would. */
  drop(code: number, reason = "dropped by the test relay"): void {
    for (const pair of this.pairs) {
      pair.client.close(code, reason);
      if (pair.upstream.readyState === WebSocket.OPEN) pair.upstream.close(1000);
      else pair.upstream.terminate();
    }
    this.pairs.clear();
  }

  close(): Promise<void> {
    this.drop(1001, "relay stopped");
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: WebSocket, url: string): void {
    this.connections += 1;
    const upstream = new WebSocket(url);
    const pair = { client, upstream };
    this.pairs.add(pair);
    const pending: RawData[] = [];
    client.on("message", (data, isBinary) => {
      this.sent.push(data.toString());
      if (upstream.readyState === WebSocket.OPEN) upstream.send(data, { binary: isBinary });
      else pending.push(data);
    });
    upstream.on("open", () => {
      for (const data of pending.splice(0)) upstream.send(data);
    });
    upstream.on("message", (data, isBinary) => {
      if (client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
    });
    upstream.on("close", (code, reason) => {
      this.pairs.delete(pair);
      if (client.readyState === WebSocket.OPEN) client.close(sendable(code), reason);
    });
    client.on("close", () => {
      this.pairs.delete(pair);
      if (upstream.readyState === WebSocket.OPEN) upstream.close(1000);
      else if (upstream.readyState === WebSocket.CONNECTING) upstream.terminate();
    });
    upstream.on("error", () => client.terminate());
    client.on("error", () => upstream.terminate());
  }
}
