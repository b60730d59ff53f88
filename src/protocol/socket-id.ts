/**
 * A socket id is `<digits>.<digits>` (the pusher SDKs reject anything else,
 * docs/protocol.md §1.4). It is unguessable because other sockets' ids must not be
 * usable to exclude them from a trigger or to reuse their auth.
 */
export function newSocketId(): string {
  const [a = 0, b = 0] = crypto.getRandomValues(new Uint32Array(2));
  return `${a}.${b}`;
}

export const SOCKET_ID_PATTERN = /^\d+\.\d+$/;
