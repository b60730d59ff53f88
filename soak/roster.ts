import { EVENTS } from "../src/protocol/constants.ts";
import { decodeData, type Frame, isObject } from "./load/soak-socket.ts";

/**
 * A presence channel's members as one socket sees them: the roster of
 * `subscription_succeeded`, then each member_added and member_removed. A
 * member added while present, or removed while absent, is a fault: pusher-js
 * would shrug it off, but it means the server's books and the client's
 * disagreed.
 */
export class Roster {
  private readonly members = new Set<string>();
  /** Whether subscription_succeeded has arrived. */
  joined = false;

  /** Applies a frame of the channel; returns "fault" when it contradicts what the socket already knew. */
  apply(frame: Frame): "ok" | "fault" {
    const data = decodeData(frame);
    switch (frame.event) {
      case EVENTS.subscriptionSucceeded: {
        this.members.clear();
        const presence = isObject(data) ? data.presence : undefined;
        const ids = isObject(presence) && Array.isArray(presence.ids) ? presence.ids : [];
        for (const id of ids) if (typeof id === "string") this.members.add(id);
        this.joined = true;
        return ids.length === this.members.size ? "ok" : "fault";
      }
      case EVENTS.memberAdded: {
        const id = isObject(data) ? data.user_id : undefined;
        if (typeof id !== "string" || this.members.has(id)) return "fault";
        this.members.add(id);
        return "ok";
      }
      case EVENTS.memberRemoved: {
        const id = isObject(data) ? data.user_id : undefined;
        if (typeof id !== "string" || !this.members.has(id)) return "fault";
        this.members.delete(id);
        return "ok";
      }
      default:
        return "ok";
    }
  }

  equals(expected: ReadonlySet<string>): boolean {
    return this.members.size === expected.size && [...expected].every((id) => this.members.has(id));
  }

  get size(): number {
    return this.members.size;
  }
}
