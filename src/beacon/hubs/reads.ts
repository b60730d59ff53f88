import type { HubChannelState, Route, RouteRequest } from "../../contract/hub-rpc";
import type { InfoRequest, PresenceMember } from "../../contract/rpc";
import { channelAttributes } from "../state/channel-attributes";
import { confirmShards } from "./confirm";
import { storeRouted } from "./history";
import type { HubState } from "./hub-state";

/**
 * Before a publish: keeps a cache channel's event, stores and numbers a
 * history channel's events, and names the shards with subscribers. It changes no membership, so it waits for nothing: a join
 * answered before this call is in the list, one still in flight has not
 * told its socket it is subscribed.
 */
export function route(state: HubState, request: RouteRequest): Route {
  if (request.cache !== undefined) {
    state.cache.remember(state.channel, request.cache.event, request.cache.data, Date.now());
  }
  const serials = request.store === undefined ? {} : { serials: storeRouted(state, request.store) };
  const shards = state.records.attachedShards();
  const userCount = request.userCount ? { userCount: state.records.roster.memberCount(state.channel) } : {};
  return { shards, ...userCount, ...serials };
}

/** `GET /channels/{name}`: every shard is asked for what it holds now, so the figures are the app's. */
export async function readChannel(state: HubState, info: InfoRequest): Promise<HubChannelState> {
  const unanswered = await confirmShards(state, "all");
  const total = state.records.totalSubscribers();
  const attributes = channelAttributes(total, state.records.roster, state.cache, state.channel, info);
  return { occupied: total > 0, ...attributes, unanswered };
}

/** `GET /channels/{name}/users`: each distinct user once, across shards. */
export async function readUsers(state: HubState): Promise<{ users: Array<{ id: string }>; unanswered: number }> {
  const unanswered = await confirmShards(state, "all");
  return { users: state.records.roster.userIds(state.channel).map((id) => ({ id })), unanswered };
}

/** The dashboard's presence members with their user_info: each distinct user once, across shards. */
export async function readMembers(state: HubState): Promise<{ members: PresenceMember[]; unanswered: number }> {
  const unanswered = await confirmShards(state, "all");
  return { members: state.records.roster.membersWithInfo(state.channel), unanswered };
}
