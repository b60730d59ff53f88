import { readFileSync } from "node:fs";

/** Bytes waiting in the kernel on both ends of one loopback TCP connection (Linux only). */
export interface TcpQueues {
  /** Received by the client's kernel, not yet read by the client. */
  clientUnread: number;
  /** Written by the server, not yet taken by the client's kernel. */
  serverUnsent: number;
}

/**
 * Reads /proc/net/tcp and tcp6 for the connection whose client end is
 * `clientPort` and server end `serverPort`. Undefined where /proc is not Linux's.
 */
export function tcpQueues(clientPort: number, serverPort: number): TcpQueues | undefined {
  let clientUnread: number | undefined;
  let serverUnsent: number | undefined;
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue ...
      const [, local, remote, , queues] = line.trim().split(/\s+/);
      if (local === undefined || remote === undefined || queues === undefined) continue;
      const [tx = "0", rx = "0"] = queues.split(":");
      const localPort = portOf(local);
      const remotePort = portOf(remote);
      if (localPort === clientPort && remotePort === serverPort) clientUnread = Number.parseInt(rx, 16);
      if (localPort === serverPort && remotePort === clientPort) serverUnsent = Number.parseInt(tx, 16);
    }
  }
  if (clientUnread === undefined || serverUnsent === undefined) return undefined;
  return { clientUnread, serverUnsent };
}

function portOf(address: string): number {
  return Number.parseInt(address.slice(address.lastIndexOf(":") + 1), 16);
}
