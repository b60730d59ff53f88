import { tryDecodeURIComponent } from "../lib/text";

/**
 * Where clients open sockets: `/app/{key}` (pusher-js appends the query
 * string). Anything else under `/app` is a socket path Pusher refuses with
 * 4005, so a typo in a client's host settings gets a code rather than a 404.
 */
export type SocketPath = { kind: "socket"; key: string } | { kind: "malformed" } | { kind: "other" };

const SOCKET_PATH = /^\/app\/([^/]+)\/?$/;

export function parseSocketPath(pathname: string): SocketPath {
  if (pathname !== "/app" && !pathname.startsWith("/app/")) return { kind: "other" };
  const encoded = SOCKET_PATH.exec(pathname)?.[1];
  if (encoded === undefined) return { kind: "malformed" };
  const key = tryDecodeURIComponent(encoded);
  // A broken percent-escape cannot name any app.
  return key === undefined ? { kind: "malformed" } : { kind: "socket", key };
}
