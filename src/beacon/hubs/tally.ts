import { hubName, shardsOf } from "../../contract/objects";
import { withDeadline } from "../../lib/deadline";
import { log } from "../../log";
import type { HubTally } from "../state/hub-tally";
import type { WebhookTally } from "../state/webhook-tally";
import { SHARD_DEADLINE_MS } from "./forward";
import type { HubState } from "./hub-state";

/**
 * The webhooks this hub delivered, with its latest attempts for the
 * webhooks view and the consoles (named by this hub), the history it stored
 * and pruned, and the REST triggers it routed as their first channel's go
 * into the app's statistics through its first shard. Statistics are counts,
 * not records: a tally that does not arrive is logged and dropped, as a
 * Beacon's unflushed counts are.
 */
export async function sendTally(state: HubState, webhooks: WebhookTally, figures: HubTally): Promise<void> {
  const taken = webhooks.take();
  const [first] = shardsOf(state.app);
  if (first === undefined) return;
  const shard = state.shards.stub(first.name);
  const source = hubName(state.app.id, state.channel);
  await Promise.all([
    taken === undefined
      ? undefined
      : handOn(
          state,
          "webhook counts",
          shard.countWebhooks(
            state.app.id,
            first.name,
            taken.counts,
            taken.attempts.map((attempt) => ({ ...attempt, source })),
          ),
        ),
    sendHubTally(state, figures),
  ]);
}

export async function sendHubTally(state: HubState, figures: HubTally): Promise<void> {
  const counts = figures.take();
  const [first] = shardsOf(state.app);
  if (counts === undefined || first === undefined) return;
  const shard = state.shards.stub(first.name);
  await handOn(state, "hub counts", shard.countHubFigures(state.app.id, first.name, counts));
}

async function handOn(state: HubState, what: string, call: Promise<void>): Promise<void> {
  try {
    await withDeadline(call, SHARD_DEADLINE_MS);
  } catch (error) {
    log("warn", `${what} did not reach the app's statistics`, {
      app: state.app.id,
      channel: state.channel,
      error: String(error),
    });
  }
}
