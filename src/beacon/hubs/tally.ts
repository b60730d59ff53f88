import { hubName, shardsOf } from "../../contract/objects";
import { withDeadline } from "../../lib/deadline";
import { log } from "../../log";
import type { WebhookTally } from "../state/webhook-tally";
import { SHARD_DEADLINE_MS } from "./forward";
import type { HubState } from "./hub-state";

/**
 * The webhooks this hub delivered go into the app's statistics through its
 * first shard, with its latest attempts for the webhooks view and the
 * consoles, named by this hub. Statistics are counts, not records: a tally
 * that does not arrive is logged and dropped, as a Beacon's unflushed counts are.
 */
export async function sendTally(state: HubState, tally: WebhookTally): Promise<void> {
  const taken = tally.take();
  const [first] = shardsOf(state.app);
  if (taken === undefined || first === undefined) return;
  const source = hubName(state.app.id, state.channel);
  const attempts = taken.attempts.map((attempt) => ({ ...attempt, source }));
  try {
    await withDeadline(
      state.shards.stub(first.name).countWebhooks(state.app.id, first.name, taken.counts, attempts),
      SHARD_DEADLINE_MS,
    );
  } catch (error) {
    log("warn", "webhook counts did not reach the app's statistics", {
      app: state.app.id,
      channel: state.channel,
      error: String(error),
    });
  }
}
