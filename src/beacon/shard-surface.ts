import { DurableObject } from "cloudflare:workers";
import type { WebhookAttempt } from "../contract/console";
import type { HubFrame, ShardChannels, ShardEvent, ShardReport } from "../contract/hub-rpc";
import { NextTurn } from "../lib/next-turn";
import type { Awake } from "./awake";
import { shardReport } from "./changes/shard-hubs";
import { countHubFigures, countWebhooks, deliver, hubFrame, occupied, socketFrame } from "./rpc/shard-calls";
import { terminateUserConnections } from "./rpc/terminate";
import type { HubLinks } from "./state/hub-links";
import type { HubCounts } from "./state/hub-tally";
import type { WebhookOutcome } from "./state/stats";

/** An awake Beacon that is a shard of a sharded app. */
export type ShardAwake = Awake & { readonly links: HubLinks };

export function isShard(awake: Awake): awake is ShardAwake {
  return awake.links !== undefined;
}

/**
 * The calls a Beacon answers as a shard of a sharded app (docs/scaling.md),
 * from the Worker and from the app's hubs. Each names the shard it is
 * calling, so that a shard first woken by one of them knows what it is.
 * Beacon (beacon.ts) extends this and runs each call as it runs every RPC.
 */
export abstract class ShardSurface extends DurableObject<Env> {
  protected abstract onShard<T>(appId: string, shard: string, method: string, task: (state: ShardAwake) => T): T;

  /**
   * Deliveries that arrive together go out together, in the order they came
   * (NextTurn): under a burst of triggers each socket's outgoing pump then
   * carries several messages at once rather than waking once per trigger. One Beacon's publish batches the same way behind its audit
   * write (bench/RESULTS.md, "Where the extra CPU per delivery comes from").
   */
  private readonly deliveries = new NextTurn();

  async deliver(appId: string, shard: string, events: ShardEvent[]): Promise<Map<string, number>> {
    return this.deliveries.run(() => this.onShard(appId, shard, "deliver", (state) => deliver(state, events)));
  }

  async hubFrame(appId: string, shard: string, message: HubFrame): Promise<void> {
    return this.onShard(appId, shard, "hubFrame", (state) => hubFrame(state, message));
  }

  async socketFrame(appId: string, shard: string, socketIds: string[], frame: string): Promise<void> {
    return this.onShard(appId, shard, "socketFrame", (state) => socketFrame(state, socketIds, frame));
  }

  async reportFor(appId: string, shard: string, channel: string): Promise<ShardReport> {
    return this.onShard(appId, shard, "reportFor", (state) => shardReport(state, channel));
  }

  async terminateUser(appId: string, shard: string, userId: string): Promise<number> {
    return this.onShard(appId, shard, "terminateUser", (state) => terminateUserConnections(state, userId));
  }

  /** A hub's webhook outcomes and latest attempts, for the app's statistics, webhooks view and consoles. */
  async countWebhooks(
    appId: string,
    shard: string,
    outcomes: Record<WebhookOutcome, number>,
    attempts: WebhookAttempt[] = [],
  ): Promise<void> {
    return this.onShard(appId, shard, "countWebhooks", (state) => countWebhooks(state, outcomes, attempts));
  }

  async countHubFigures(appId: string, shard: string, counts: HubCounts): Promise<void> {
    return this.onShard(appId, shard, "countHubFigures", (state) => countHubFigures(state, counts));
  }

  /** `counted`: this shard counts the `GET /channels` call for the app (the Worker asks every shard, and names one). */
  async occupied(
    appId: string,
    shard: string,
    prefix: string,
    users: boolean,
    counted = false,
  ): Promise<ShardChannels> {
    return this.onShard(appId, shard, "occupied", (state) => {
      if (counted) state.meter.apiCall();
      return occupied(state, prefix, users);
    });
  }
}
