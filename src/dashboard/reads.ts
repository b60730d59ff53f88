import type { AuditRequest } from "../audit/entry";
import type { App } from "../config/app";
import type { PresenceMember } from "../contract/rpc";
import { err, ok, type Result } from "../lib/result";
import { INFO_ATTRIBUTES, type RestError, USER_COUNT_PREFIX } from "../protocol/rest";
import type { RestCall, RestReply } from "../rest/call";
import { parseRestChannel } from "../rest/channel-name";
import { getChannelInfo } from "../rest/endpoints/channel-info";
import { listChannels } from "../rest/endpoints/list-channels";
import { getStats } from "../rest/endpoints/stats";
import { triggerEvents } from "../rest/endpoints/trigger-events";
import { backendFor } from "../sharded/backend";

/**
 * Every figure the dashboard shows and every change it makes goes through
 * one function here, and each calls the REST endpoint that answers the same
 * question for a signed request. Whatever makes the REST API app-wide (an app
 * spread over several objects) makes the dashboard app-wide with it; nothing
 * here talks to a Beacon that the REST side does not.
 */
export interface AppAccess {
  readonly app: App;
  readonly beacons: Env["BEACON"];
  /** A sharded app's channel hubs (docs/scaling.md); an app with one shard uses none. */
  readonly hubs: Env["HUB"];
}

/** The app's live counts, totals and rates: what `GET /apps/{id}/stats` answers. */
export function appStats(access: AppAccess): Promise<RestReply> {
  return Promise.resolve(getStats(call(access, {})));
}

/** Occupied channels with their subscription counts, and presence channels with their user counts too. */
export async function channelList(access: AppAccess): Promise<RestReply> {
  const all = await listChannels(call(access, { query: { info: INFO_ATTRIBUTES.subscriptionCount } }));
  if (!all.ok) return all;
  const presence = await listChannels(
    call(access, {
      query: {
        filter_by_prefix: USER_COUNT_PREFIX,
        info: `${INFO_ATTRIBUTES.userCount},${INFO_ATTRIBUTES.subscriptionCount}`,
      },
    }),
  );
  if (!presence.ok) return presence;
  return ok({ all: all.value, presence: presence.value });
}

/** One channel: occupied, its counts, a cache channel's last event, and a presence channel's members with user_info. */
export async function channelDetail(access: AppAccess, name: string): Promise<RestReply> {
  const channel = parseRestChannel(name, access.app.limits.maxChannelNameLength);
  if (!channel.ok) return channel;
  const info: string[] = [INFO_ATTRIBUTES.subscriptionCount];
  if (channel.value.kind === "presence") info.push(INFO_ATTRIBUTES.userCount);
  if (channel.value.cached) info.push(INFO_ATTRIBUTES.cache);
  const state = await getChannelInfo(call(access, { query: { info: info.join(",") }, params: [name] }));
  if (!state.ok || channel.value.kind !== "presence") return state;
  const members = await presenceMembers(access, name);
  return members.ok ? ok({ state: state.value, members: members.value }) : members;
}

/**
 * A presence channel's members with their user_info. The REST API lists
 * user ids only (as Pusher's does), so this is the one read with its own RPC:
 * the Beacon's, or for a sharded app the channel's hub's.
 */
export async function presenceMembers(
  access: AppAccess,
  channel: string,
): Promise<Result<PresenceMember[], RestError>> {
  const members = await backendFor(access.app, access.beacons, access.hubs).channelMembers(access.app.id, channel);
  return members.ok ? ok(members.value) : err(members.error);
}

/** Publishes the body of a `POST /apps/{id}/events`, checked exactly as that endpoint checks it, and recorded as it records. */
export function publish(access: AppAccess, body: Uint8Array, audit: AuditRequest | undefined): Promise<RestReply> {
  return triggerEvents(call(access, { body, ...(audit === undefined ? {} : { audit }) }));
}

function call(
  { app, beacons, hubs }: AppAccess,
  parts: { query?: Record<string, string>; body?: Uint8Array; params?: string[]; audit?: AuditRequest },
): RestCall {
  return {
    app,
    query: new URLSearchParams(parts.query),
    body: parts.body ?? new Uint8Array(0),
    params: parts.params ?? [],
    beacon: () => backendFor(app, beacons, hubs),
    ...(parts.audit === undefined ? {} : { audit: parts.audit }),
  };
}
