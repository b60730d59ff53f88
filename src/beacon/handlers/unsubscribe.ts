import type { Connection } from "../connection";
import { removeSubscription } from "../membership";
import type { Room } from "../room";

/** Unsubscribing from a channel the socket never held is a no-op, as on Pusher. */
export function handleUnsubscribe(room: Room, connection: Connection, channel: string): void {
  removeSubscription(room, connection, channel);
}
