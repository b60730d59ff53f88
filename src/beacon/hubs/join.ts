import type { CachedEventCopy, JoinAnswer, JoinRequest } from "../../contract/hub-rpc";
import * as frames from "../../protocol/server-frames";
import { parseStoredUserInfo } from "../state/presence-roster";
import { confirmShards } from "./confirm";
import { joinedHistory } from "./history";
import type { HubState } from "./hub-state";
import { memberJoined, subscribersChanged } from "./membership";

/**
 * A shard's socket joins the channel: the shard's first subscriber, a
 * presence member, or a cache channel's subscriber. The member limit is
 * checked app-wide, against a roster whose shards have been checked, and
 * the answer carries the roster (or the cached event) as of `seq`. A new
 * user's other subscribers, on every shard, hear `member_added` before the
 * answer leaves, so nobody can subscribe after the joiner and miss it.
 */
export async function join(state: HubState, request: JoinRequest): Promise<JoinAnswer> {
  const { records, channel } = state;
  const member = request.member;
  if (member !== undefined) {
    await confirmShards(state, "unconfirmed");
    const limit = state.app.limits.maxPresenceMembersPerChannel;
    if (!records.roster.isMember(channel, member.userId) && records.roster.memberCount(channel) >= limit) {
      return { ok: false, error: `Presence channel is full: at most ${limit} members` };
    }
  }
  const before = records.totalSubscribers();
  records.setSubscribers(request.shard, Math.max(1, request.subscribers));
  const seq = state.shards.currentSeq();
  const isNew = member !== undefined && records.addMember(request.shard, request.socketId, member);
  const history = joinedHistory(state, request);
  const answer: JoinAnswer = {
    ok: true,
    seq,
    ...(member === undefined
      ? {}
      : { succeeded: frames.subscriptionSucceeded(channel, records.roster.snapshot(channel), history?.position) }),
    ...(request.wantsCache ? { cached: cachedEvent(state) } : {}),
    ...(history === undefined ? {} : { history }),
  };
  subscribersChanged(state, before);
  if (isNew) await memberJoined(state, request.socketId, member.userId, parseStoredUserInfo(member.infoJson));
  return answer;
}

/** The cached event, or null after queueing the `cache_miss` webhook the subscriber's miss causes. */
function cachedEvent(state: HubState): CachedEventCopy | null {
  const cached = state.cache.lookup(state.channel, Date.now());
  if (cached !== undefined) return { event: cached.event, data: cached.data };
  state.webhooks.queue({ name: "cache_miss", channel: state.channel });
  return null;
}
