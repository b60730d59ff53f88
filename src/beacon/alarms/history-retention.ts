import type { App } from "../../config/app";
import { historyFor } from "../../config/history";
import type { ChannelHistory } from "../state/channel-history";
import type { TimedWork } from "./alarm-clock";

/**
 * Retention by age, on the object's alarm: a channel is visited when its
 * oldest event expires, so readers never filter and idle channels cost
 * nothing. The limit by count is kept as each event is stored.
 */
export function historyRetention(history: ChannelHistory): TimedWork<{ readonly app: App }> {
  return {
    name: "history-retention",
    nextDueAt: () => history.nextPruneAt(),
    run: async (state) => history.prune(Date.now(), (channel) => historyFor(state.app.history, channel)),
  };
}
