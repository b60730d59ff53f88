import { isRecord } from "../../lib/json";

/**
 * What each socket carries through hibernation. Cloudflare caps a serialized
 * attachment at 2,048 bytes (the local runtime does not), so only fixed-size
 * facts live here: subscriptions and user data are in SQLite.
 */
export interface SocketAttachment {
  readonly v: 1;
  readonly socketId: string;
  /** Set once the socket has signed in (`pusher:signin`). At most 128 characters. */
  readonly userId?: string;
  /** Unix milliseconds when the socket connected. */
  readonly connectedAt: number;
}

export function readAttachment(ws: WebSocket): SocketAttachment | undefined {
  const value: unknown = ws.deserializeAttachment();
  if (!isRecord(value) || value.v !== 1 || typeof value.socketId !== "string") return undefined;
  if (typeof value.connectedAt !== "number") return undefined;
  const attachment: SocketAttachment = { v: 1, socketId: value.socketId, connectedAt: value.connectedAt };
  return typeof value.userId === "string" ? { ...attachment, userId: value.userId } : attachment;
}

export function writeAttachment(ws: WebSocket, attachment: SocketAttachment): void {
  ws.serializeAttachment(attachment);
}
