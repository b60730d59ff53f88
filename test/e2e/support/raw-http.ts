import { connect, type Socket } from "node:net";
import type { ServerInfo } from "./server";

export interface RawAnswer {
  status: number;
  text: string;
  /** Milliseconds from sending the head to the end of the answer. */
  elapsedMs: number;
  /** Body bytes the socket had taken when the answer began. */
  bodyBytesSent: number;
}

/**
 * An HTTP/1.1 request written byte by byte on a plain TCP socket, so a test
 * can say what fetch will not: a Content-Length no body follows, or a
 * chunked body that never ends. `body` is called to write the body; it
 * should stop once `answered()` turns true.
 */
export function rawRequest(
  server: Pick<ServerInfo, "host" | "port">,
  head: string | Buffer,
  body: (socket: Socket, answered: () => boolean) => Promise<void> = async () => {},
  timeoutMs = 8000,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(server.port, server.host);
    let received = "";
    let bodyBytesSent = 0;
    let answeredAt: number | undefined;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms (got ${JSON.stringify(received.slice(0, 200))})`));
    }, timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      const match = /^HTTP\/1\.1 (\d{3})[^\r]*\r\n[\s\S]*?\r\n\r\n([\s\S]*)$/.exec(received);
      if (match === null) {
        reject(new Error(`not an HTTP answer: ${JSON.stringify(received.slice(0, 200))}`));
        return;
      }
      resolve({ status: Number(match[1]), text: match[2] ?? "", elapsedMs: Date.now() - started, bodyBytesSent });
    };
    socket.on("data", (chunk) => {
      if (answeredAt === undefined) {
        answeredAt = Date.now();
        bodyBytesSent = socket.bytesWritten - Buffer.byteLength(head);
      }
      received += chunk.toString("utf8");
      // Every answer here is small and carries Content-Length: once it is all in, the test has it.
      const length = /\r\ncontent-length: (\d+)\r\n/i.exec(received)?.[1];
      const end = received.indexOf("\r\n\r\n");
      if (length !== undefined && end !== -1 && Buffer.byteLength(received.slice(end + 4)) >= Number(length)) {
        socket.destroy();
      }
    });
    socket.on("close", finish);
    // The server may close while a body is still being written: that is an answer, not a failure.
    socket.on("error", () => undefined);
    socket.on("connect", () => {
      socket.write(head);
      body(socket, () => answeredAt !== undefined).catch(() => undefined);
    });
  });
}
