import type { IncomingMessage, Server, ServerResponse } from "node:http";

const MAX_BODY_BYTES = 64 * 1024;

export class HttpError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** The request body as text, refused past 64 KB so a client cannot make the backend hold more. */
export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export function readJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "body must be JSON");
  }
}

/** The token of `Authorization: Bearer <token>`. */
export function bearerToken(request: IncomingMessage): string {
  const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? "");
  if (match?.[1] === undefined) throw new HttpError(401, "Authorization: Bearer <token> required");
  return match[1];
}

export function sendJson(response: ServerResponse, status: number, value: unknown): void {
  response.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(value));
}

/** Starts `server` on a loopback port (0: any free one) and returns its base URL. */
export async function listenOnLoopback(server: Server, port = 0): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("server is not listening on a TCP port");
  return `http://127.0.0.1:${address.port}`;
}
