import { log } from "../log";
import type { TimedWork } from "./alarm-clock";
import { enforceAuthorizationDeadlines } from "./authorization-deadline";
import type { DueKind, DueWork } from "./due-work";
import type { Room } from "./room";
import { flushSubscriptionCounts } from "./subscription-count";

/**
 * Runs every kind of due-work row that is due, each by its own runner. A
 * failing runner is logged and does not stop the others. The alarm clock
 * re-arms the alarm afterwards (see dueWorkKind).
 */
export async function runDueWork(room: Room, now: number): Promise<void> {
  for (const [kind, keys] of room.dueWork.takeDue(now)) {
    try {
      await runKind(room, kind, keys);
    } catch (error) {
      log("error", "due work failed", { app: room.app.id, kind, error: String(error) });
    }
  }
}

/** The keyed due-work table as one kind of work on the object's alarm clock. */
export function dueWorkKind(dueWork: DueWork): TimedWork {
  return {
    name: "due-work",
    nextDueAt: () => dueWork.nextDueAt(),
    run: (room) => runDueWork(room, Date.now()),
  };
}

/** Runners may be async (a webhook delivery awaits fetch); each kind runs to completion in turn. */
function runKind(room: Room, kind: DueKind, keys: readonly string[]): Promise<void> | void {
  switch (kind) {
    case "subscription-count":
      return flushSubscriptionCounts(room, keys);
    case "authorization-deadline":
      return enforceAuthorizationDeadlines(room, keys);
    default: {
      const unreachable: never = kind;
      return unreachable;
    }
  }
}
