import { isRecord } from "../../lib/json";

/**
 * What each socket carries through hibernation. Cloudflare caps a serialized
 * attachment at 2,048 bytes (the local runtime does not), so only fixed-size
 * facts live here: subscriptions and user data are in SQLite.
 *
 * This is the shape the running release writes. Cloudflare closes an
 * object's sockets when a new release reaches it, so a socket should not
 * outlive the release that accepted it; the reader below still accepts every
 * version the project has shipped, so that an attachment is never misread
 * if one does.
 */
export interface SocketAttachment {
  readonly v: 1;
  readonly socketId: string;
  /** Set once the socket has signed in (`pusher:signin`). At most 128 characters. */
  readonly userId?: string;
  /** Unix milliseconds when the socket connected. */
  readonly connectedAt: number;
}

type Reader = (value: Record<string, unknown>) => SocketAttachment | undefined;

/**
 * One reader per shipped version, each giving the current shape. To change
 * the shape: bump `v` above, add the new version's reader here, and let the
 * older readers fill in what their version lacked. A version not listed
 * (one written by a newer release) is unreadable.
 */
const READERS: ReadonlyMap<unknown, Reader> = new Map<unknown, Reader>([[1, readVersion1]]);

export function readAttachment(ws: WebSocket): SocketAttachment | undefined {
  const value: unknown = ws.deserializeAttachment();
  return isRecord(value) ? READERS.get(value.v)?.(value) : undefined;
}

export function writeAttachment(ws: WebSocket, attachment: SocketAttachment): void {
  ws.serializeAttachment(attachment);
}

function readVersion1(value: Record<string, unknown>): SocketAttachment | undefined {
  if (typeof value.socketId !== "string" || typeof value.connectedAt !== "number") return undefined;
  const attachment: SocketAttachment = { v: 1, socketId: value.socketId, connectedAt: value.connectedAt };
  return typeof value.userId === "string" ? { ...attachment, userId: value.userId } : attachment;
}
