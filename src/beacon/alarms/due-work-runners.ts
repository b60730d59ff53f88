import { log } from "../../log";
import { enforceAuthorizationDeadlines } from "../changes/authorization-deadline";
import { type ShardState, sendReports } from "../changes/shard-hubs";
import { flushSubscriptionCounts, type SubscriptionCountState } from "../changes/subscription-count";
import type { Connections } from "../state/connections";
import type { DueKind, DueWork } from "../state/due-work";
import type { TimedWork } from "./alarm-clock";

/** What the due-work runners change: subscription counts, and sockets past their deadline. */
export interface DueWorkState extends SubscriptionCountState, Omit<ShardState, "links"> {
  readonly connections: Connections;
  readonly links?: ShardState["links"];
}

/** The keyed due-work table as one kind of work on the object's alarm clock. */
export function dueWorkKind(dueWork: DueWork): TimedWork<DueWorkState> {
  return {
    name: "due-work",
    nextDueAt: () => dueWork.nextDueAt(),
    run: (state) => runDueWork(state, Date.now()),
  };
}

/**
 * Runs every kind of due-work row that is due, each by its own runner. A
 * failing runner is logged and does not stop the others. The alarm clock
 * re-arms the alarm afterwards.
 */
async function runDueWork(state: DueWorkState, now: number): Promise<void> {
  for (const [kind, keys] of state.dueWork.takeDue(now)) {
    try {
      await runKind(state, kind, keys);
    } catch (error) {
      log("error", "due work failed", { app: state.app.id, kind, error: String(error) });
    }
  }
}

/** Runners may be async (a webhook delivery awaits fetch); each kind runs to completion in turn. */
function runKind(state: DueWorkState, kind: DueKind, keys: readonly string[]): Promise<void> | void {
  switch (kind) {
    case "subscription-count":
      return flushSubscriptionCounts(state, keys);
    case "authorization-deadline":
      return enforceAuthorizationDeadlines(state.connections, keys);
    case "hub-report": {
      // Only a shard schedules reports; one that stopped being a shard has no hub to send them to.
      const links = state.links;
      return links === undefined ? undefined : sendReports({ ...state, links }, keys);
    }
    default: {
      const unreachable: never = kind;
      return unreachable;
    }
  }
}
