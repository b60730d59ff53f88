import type { CachedEventCopy, JoinAnswer, JoinedHistory, JoinRequest } from "../../contract/hub-rpc";
import { err, ok, type Result } from "../../lib/result";
import type { ChannelInfo } from "../../protocol/channels";
import type { ResumePosition } from "../../protocol/client-frames";
import type { SubscriptionError } from "../../protocol/errors";
import { abandonHistoryJoin, beginHistoryJoin, isHistoryChannel, knownPosition } from "../changes/shard-history";
import { reportSoon } from "../changes/shard-hubs";
import { addSubscription, type SubscriptionState } from "../changes/subscriptions";
import type { Connection } from "../state/connection";
import type { Connections } from "../state/connections";
import type { Delivery } from "../state/history-streams";
import type { HubLinks, PendingJoin } from "../state/hub-links";
import type { PresenceMember } from "../state/presence-roster";

/** What a shard's subscribe reads and changes when it goes through the channel's hub. */
export interface HubJoinState extends SubscriptionState {
  readonly connections: Connections;
}

/** What the subscriber gets: `subscription_succeeded`, then what it missed meanwhile, then a cached event. */
export interface Joined {
  /** The hub's `subscription_succeeded` frame, with the app-wide roster; absent, the frame is made here. */
  readonly succeeded?: string;
  /** Cache channels: the cached event, or null for a miss. */
  readonly cached?: CachedEventCopy | null;
  /** Hub frames that reached this shard after the hub answered, before the socket was subscribed here. */
  readonly replay: readonly string[];
  /** History channels: the hub's position (and what a resume missed), and the deliveries sent here meanwhile. */
  readonly history?: JoinedHistory;
  readonly deliveries?: readonly Delivery[];
}

/**
 * Whether a subscribe on a shard must ask the channel's hub: a presence
 * member (the roster and its limit are app-wide), a cache channel (the
 * cache is), or the shard's first subscriber of the channel (so that the
 * hub sends it the channel's events before the socket is told it is in).
 * A history channel also asks it to resume a socket, and when this shard
 * does not know where the channel stands (after waking).
 */
export function needsHub(
  state: HubJoinState,
  links: HubLinks,
  connection: Connection,
  channel: ChannelInfo,
  member: PresenceMember | undefined,
  resume: ResumePosition | undefined,
): boolean {
  if (member !== undefined || channel.cached) return true;
  if (connection.channels.has(channel.name)) return false;
  if (state.channels.count(channel.name) === 0) return true;
  if (!isHistoryChannel(state.app, channel.name)) return false;
  return resume !== undefined || knownPosition({ links }, channel.name) === undefined;
}

/**
 * Joins through the hub (or with the shard's join to the channel already in
 * flight), then subscribes here. Frames the hub sends while
 * the answer is on its way are kept, and those sent after the answer are
 * replayed to the socket once it is in: it misses nothing the hub sent
 * after its roster, and gets nothing twice. A failed call throws (the
 * socket hears of an internal error) once the hub is asked to forget the
 * socket.
 */
export async function joinHub(
  state: HubJoinState,
  links: HubLinks,
  connection: Connection,
  channel: ChannelInfo,
  member: PresenceMember | undefined,
  resume: ResumePosition | undefined,
): Promise<Result<Joined, SubscriptionError>> {
  const already = connection.channels.has(channel.name);
  // History channels only: deliveries past a gap wait for the answer, which carries the channel's position.
  const history = isHistoryChannel(state.app, channel.name) ? { ...state, links } : undefined;
  if (history !== undefined) beginHistoryJoin(history, channel.name);
  const pending = links.beginJoin(channel.name, connection.id);
  const request: JoinRequest = {
    shard: links.shard,
    socketId: connection.id,
    ...(member === undefined ? {} : { member: { userId: member.userId, infoJson: member.infoJson } }),
    subscribers: state.channels.count(channel.name) + (already ? 0 : 1),
    wantsCache: channel.cached,
    ...(history === undefined ? {} : { history: resume === undefined || already ? {} : { resume } }),
  };
  const abandon = async () => {
    links.endJoin(pending);
    if (history !== undefined) await abandonHistoryJoin(history, channel.name);
  };
  let answer: JoinAnswer;
  let first = pending;
  try {
    ({ answer, first } = await askOrWait(links, state.app.id, channel.name, request, pending));
  } catch (error) {
    await abandon();
    reportSoon(state, channel.name);
    throw error;
  }
  if (!answer.ok) {
    await abandon();
    return err({ channel: channel.name, type: "LimitReached", status: 400, error: answer.error });
  }
  // terminate_connections may have removed the socket meanwhile: the hub hears it is gone.
  if (state.connections.get(connection.id) !== connection) {
    await abandon();
    reportSoon(state, channel.name);
    return err({ channel: channel.name, type: "Forbidden", status: 403, error: "The connection was terminated" });
  }
  links.endJoin(pending, answer.seq);
  if (!already) addSubscription(state, connection, channel.name, member);
  const replay = already
    ? []
    : keptFor(first.frames, pending.frames, (held) => held.seq)
        .filter((held) => held.seq > answer.seq && held.except !== connection.id)
        .map((held) => held.frame);
  // A repeated subscribe resumes nothing: the socket kept receiving.
  const joinedHistory = history !== undefined && !already ? answer.history : undefined;
  if (history !== undefined && joinedHistory === undefined) await abandonHistoryJoin(history, channel.name);
  return ok({
    ...(answer.succeeded === undefined ? {} : { succeeded: answer.succeeded }),
    ...(answer.cached === undefined ? {} : { cached: answer.cached }),
    replay,
    ...(joinedHistory === undefined
      ? {}
      : { history: joinedHistory, deliveries: keptFor(first.deliveries, pending.deliveries, (kept) => kept.serial) }),
  });
}

/**
 * Asks the hub, or waits for the join in flight that attaches this shard to
 * the channel and subscribes as of its answer: a crowd of subscribes (a
 * reconnect storm) costs the shard one join. A presence member, a cache
 * read (each miss is its own `cache_miss` webhook) or a resume is the
 * socket's own, so those always ask.
 */
async function askOrWait(
  links: HubLinks,
  appId: string,
  channel: string,
  request: JoinRequest,
  pending: PendingJoin,
): Promise<{ answer: JoinAnswer; first: PendingJoin }> {
  const attachesOnly = request.member === undefined && !request.wantsCache && request.history?.resume === undefined;
  const inFlight = attachesOnly ? links.attachingJoin(channel) : undefined;
  if (inFlight !== undefined) return { answer: await inFlight.answer, first: inFlight.first };
  const call = links.hub(channel).join(appId, channel, request);
  if (!attachesOnly) return { answer: await call, first: pending };
  const attaching = links.beginAttach(channel, call, pending);
  try {
    return { answer: await call, first: pending };
  } finally {
    links.endAttach(attaching);
  }
}

/**
 * What reached the shard for a joining socket: all the first join kept
 * (from before this socket asked), then what only this socket's join kept
 * after that join was answered; each once.
 */
function keptFor<T>(first: readonly T[], own: readonly T[], key: (item: T) => number): T[] {
  if (first === own) return [...own];
  const seen = new Set(first.map(key));
  return [...first, ...own.filter((item) => !seen.has(key(item)))];
}
