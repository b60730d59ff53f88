import type { App } from "../../config/app";
import type { ChannelCache } from "../state/channel-cache";
import type { ChannelHistory } from "../state/channel-history";
import type { DueWork } from "../state/due-work";
import type { HubRecords } from "../state/hub-records";
import type { RecentExclusions } from "../state/recent-exclusions";
import type { ShardStubs } from "../state/shard-stubs";
import type { WebhookQueue } from "../webhooks/queue";

/**
 * Everything an awake hub holds: one channel of a sharded app (for a user's
 * hub, the channel `#server-to-user-{id}`), what each shard holds of it, its
 * cache, history and webhooks. Made once per wake by hub.ts.
 */
export interface HubState {
  readonly app: App;
  readonly channel: string;
  readonly records: HubRecords;
  readonly shards: ShardStubs;
  readonly cache: ChannelCache;
  /** A history channel's stored events (docs/history.md); empty for any other. */
  readonly history: ChannelHistory;
  readonly exclusions: RecentExclusions;
  readonly webhooks: WebhookQueue;
  readonly dueWork: DueWork;
}
