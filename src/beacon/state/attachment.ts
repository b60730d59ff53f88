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
  readonly v: 2;
  readonly socketId: string;
  /** The app key the socket connected with (at most 100 characters), so it can be closed once that pair is retired. */
  readonly key: string;
  /** Set once the socket has signed in (`pusher:signin`). At most 128 characters. */
  readonly userId?: string;
  /** Unix milliseconds when the socket connected. */
  readonly connectedAt: number;
}

/** `primaryKey` is the app's primary key: the one a socket accepted before keys were recorded connected with. */
type Reader = (value: Record<string, unknown>, primaryKey: string) => SocketAttachment | undefined;

/**
 * One reader per shipped version, each giving the current shape. To change
 * the shape: bump `v` above, add the new version's reader here, and let the
 * older readers fill in what their version lacked. A version not listed
 * (one written by a newer release) is unreadable.
 */
const READERS: ReadonlyMap<unknown, Reader> = new Map<unknown, Reader>([
  [1, readVersion1],
  [2, readVersion2],
]);

export function readAttachment(ws: WebSocket, primaryKey: string): SocketAttachment | undefined {
  const value: unknown = ws.deserializeAttachment();
  return isRecord(value) ? READERS.get(value.v)?.(value, primaryKey) : undefined;
}

export function writeAttachment(ws: WebSocket, attachment: SocketAttachment): void {
  ws.serializeAttachment(attachment);
}

/** Version 1 recorded no key: apps then had one pair, which is the primary pair now. */
function readVersion1(value: Record<string, unknown>, primaryKey: string): SocketAttachment | undefined {
  return readVersion2({ ...value, key: primaryKey });
}

function readVersion2(value: Record<string, unknown>): SocketAttachment | undefined {
  const { socketId, key, connectedAt, userId } = value;
  if (typeof socketId !== "string" || typeof key !== "string" || typeof connectedAt !== "number") return undefined;
  const attachment: SocketAttachment = { v: 2, socketId, key, connectedAt };
  return typeof userId === "string" ? { ...attachment, userId } : attachment;
}
