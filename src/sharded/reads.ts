import type {
  ChannelAttributes,
  ChannelCounts,
  ChannelState,
  ChannelsQuery,
  InfoRequest,
  PresenceMember,
} from "../contract/rpc";
import { withDeadline } from "../lib/deadline";
import type { ShardedObjects } from "./objects";
import { SHARD_DELIVERY_DEADLINE_MS } from "./publish";

/**
 * `GET /channels` for a sharded app: every shard names its occupied
 * channels (in parallel), and the figures are added up, presence users
 * counted once however many shards hold their sockets. The app's first
 * shard counts the call, once, as one Beacon would.
 */
export async function listAcrossShards(objects: ShardedObjects, query: ChannelsQuery): Promise<ChannelCounts> {
  const appId = objects.app.id;
  const merged = new Map<string, { subscribers: number; users: Set<string> }>();
  await Promise.all(
    objects.shardNames().map(async (shard, index) => {
      try {
        const held = await withDeadline(
          objects.shard(shard).occupied(appId, shard, query.prefix, query.info.userCount, index === 0),
          SHARD_DELIVERY_DEADLINE_MS,
        );
        for (const [channel, part] of held) {
          const entry = merged.get(channel) ?? { subscribers: 0, users: new Set<string>() };
          entry.subscribers += part.subscribers;
          for (const user of part.users ?? []) entry.users.add(user);
          merged.set(channel, entry);
        }
      } catch (error) {
        objects.failed(shard, "list channels", error);
      }
    }),
  );
  const channels: ChannelCounts = new Map();
  for (const [channel, entry] of merged) {
    const attributes: ChannelAttributes = {};
    if (query.info.userCount) attributes.user_count = entry.users.size;
    if (query.info.subscriptionCount) attributes.subscription_count = entry.subscribers;
    channels.set(channel, attributes);
  }
  return channels;
}

/** `GET /channels/{name}`: the channel's hub asks its shards and answers for the app. */
export async function channelAcrossShards(
  objects: ShardedObjects,
  channel: string,
  info: InfoRequest,
): Promise<ChannelState> {
  const { unanswered, ...state } = await objects.hub(channel).channelInfo(objects.app.id, channel, info);
  objects.unreached(unanswered);
  return state;
}

/** `GET /channels/{name}/users`: the hub's roster, checked with its shards. */
export async function usersAcrossShards(objects: ShardedObjects, channel: string): Promise<Array<{ id: string }>> {
  const { users, unanswered } = await objects.hub(channel).channelUsers(objects.app.id, channel);
  objects.unreached(unanswered);
  return users;
}

/** The dashboard's presence members with user_info: the hub's roster, checked with its shards. */
export async function membersAcrossShards(objects: ShardedObjects, channel: string): Promise<PresenceMember[]> {
  const { members, unanswered } = await objects.hub(channel).channelMembers(objects.app.id, channel);
  objects.unreached(unanswered);
  return members;
}
