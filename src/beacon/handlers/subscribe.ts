import { channelStringToSign, checkAppToken, retiredTokenMessage } from "../../auth/signatures";
import { isRecord } from "../../lib/json";
import { err, ok, type Result } from "../../lib/result";
import { utf8Length } from "../../lib/text";
import { log } from "../../log";
import { type ChannelInfo, parseChannelName, requiresAuth } from "../../protocol/channels";
import type { ResumePosition } from "../../protocol/client-frames";
import { LIMITS } from "../../protocol/constants";
import type { SubscriptionError, SubscriptionErrorType } from "../../protocol/errors";
import * as frames from "../../protocol/server-frames";
import type { UserData } from "../../protocol/user-data";
import { type DeadlineState, markAuthorized } from "../changes/authorization-deadline";
import { type CachingState, sendCachedEvent, sendCopiedEvent } from "../changes/caching";
import { type HistoryState, historyPosition, resumeSubscriber } from "../changes/history";
import { isHistoryChannel, joinedHistoryChannel, knownPosition, notResumed } from "../changes/shard-history";
import { addSubscription, type SubscriptionState } from "../changes/subscriptions";
import type { Connection, Handled } from "../state/connection";
import type { PresenceMember } from "../state/presence-roster";
import type { UserIndex } from "../state/user-index";
import { type HubJoinState, type Joined, joinHub, needsHub } from "./hub-join";

/** A subscribe reads the signed-in user and changes subscriptions; it may meet the deadline and read the cache. */
export interface SubscribeState extends SubscriptionState, DeadlineState, CachingState, HistoryState, HubJoinState {
  readonly users: UserIndex;
}

export interface SubscribeRequest {
  channel: string;
  auth: string;
  channelData: string | undefined;
  resume?: ResumePosition;
}

/**
 * Public and user channels are answered synchronously; only a signed channel
 * waits, for Web Crypto to check its token.
 */
export function handleSubscribe(state: SubscribeState, connection: Connection, request: SubscribeRequest): Handled {
  const verdict = admit(state, connection, request);
  if (verdict instanceof Promise)
    return verdict.then((checked) => conclude(state, connection, checked, request.resume));
  return conclude(state, connection, verdict, request.resume);
}

function conclude(
  state: SubscribeState,
  connection: Connection,
  verified: Result<Admission, SubscriptionError>,
  resume: ResumePosition | undefined,
): Handled {
  const links = state.links;
  if (verified.ok && links !== undefined) {
    const { channel, member } = verified.value;
    const resumeIfNew = connection.channels.has(channel.name) ? undefined : resume;
    if (needsHub(state, links, connection, channel, member, resumeIfNew)) {
      return joinHub(state, links, connection, channel, member, resumeIfNew).then((joined) =>
        joined.ok
          ? subscribed(state, connection, channel, joined.value, resumeIfNew)
          : refused(state, connection, joined.error),
      );
    }
  }
  // Room is checked after the last await: another socket may have filled the channel meanwhile.
  const admitted = verified.ok ? checkPresenceRoom(state, connection, verified.value) : verified;
  if (!admitted.ok) {
    refused(state, connection, admitted.error);
    return;
  }
  const { channel, member } = admitted.value;
  // A repeated subscribe is answered again but changes nothing (and resumes nothing: the socket kept receiving).
  const isNew = !connection.channels.has(channel.name);
  if (isNew) addSubscription(state, connection, channel.name, member);
  const snapshot = channel.kind === "presence" ? state.presence.snapshot(channel.name) : undefined;
  const succeeded = frames.subscriptionSucceeded(channel.name, snapshot, positionHere(state, channel.name));
  return subscribed(state, connection, channel, { succeeded, replay: [] }, isNew ? resume : undefined);
}

/** A history channel's position for a new subscriber: the Beacon's, or on a shard, that of its deliveries here. */
function positionHere(state: SubscribeState, channel: string) {
  if (state.links === undefined) return historyPosition(state, channel);
  return isHistoryChannel(state.app, channel) ? knownPosition({ links: state.links }, channel) : undefined;
}

function refused(state: SubscribeState, connection: Connection, error: SubscriptionError): void {
  const { type, status, channel } = error;
  // The reason is left out: it quotes channel_data, which may hold personal data.
  if (type === "AuthError")
    log("warn", "subscription auth failed", { app: state.app.id, socket: connection.id, channel, status });
  connection.send(frames.subscriptionError(error));
  if (!state.console.open) return;
  // An auth error's reason quotes channel_data, as above: the console names the kind of refusal only.
  const message = type === "AuthError" ? `${type} (${status})` : `${type}: ${error.error}`;
  state.console.emit({ kind: "refused", at: Date.now(), socket: connection.id, channel, message });
}

/**
 * The subscriber hears it is in; then what it missed meanwhile (from the
 * hub, or from history when it asked to resume), then a cache channel's
 * last event. A repeated subscribe resumes nothing: the socket kept receiving.
 */
function subscribed(
  state: SubscribeState,
  connection: Connection,
  channel: ChannelInfo,
  joined: Joined,
  resume: ResumePosition | undefined,
): Promise<void> | undefined {
  connection.send(joined.succeeded ?? frames.subscriptionSucceeded(channel.name, undefined, joined.history?.position));
  for (const frame of joined.replay) connection.send(frame);
  // Before anything else is sent: the missed events must precede every live one.
  let delivering: Promise<void> | undefined;
  if (joined.history !== undefined && state.links !== undefined) {
    const shard = { ...state, links: state.links };
    delivering = joinedHistoryChannel(shard, connection, channel.name, joined.history, joined.deliveries ?? []);
  } else if (resume !== undefined) {
    // A shard resumes only through the hub, which keeps the channel's history.
    if (state.links === undefined) resumeSubscriber(state, connection, channel.name, resume);
    else notResumed(connection, channel.name);
  }
  if (requiresAuth(channel.kind)) markAuthorized(state, connection);
  if (channel.cached) {
    if (joined.cached === undefined) sendCachedEvent(state, connection, channel.name, Date.now());
    else sendCopiedEvent(connection, channel.name, joined.cached);
  }
  return delivering;
}

interface Admission {
  channel: ChannelInfo;
  member: PresenceMember | undefined;
}

type Verdict = Result<Admission, SubscriptionError>;

function refusal(request: SubscribeRequest, type: SubscriptionErrorType, status: number, error: string): Verdict {
  return err({ channel: request.channel, type, status, error });
}

/** A verdict at once, or a promise of one when the channel's token must be checked. */
function admit(state: SubscribeState, connection: Connection, request: SubscribeRequest): Verdict | Promise<Verdict> {
  const parsed = parseChannelName(request.channel, state.app.limits.maxChannelNameLength);
  if (!parsed.ok) return refusal(request, "InvalidChannel", 400, parsed.error);
  const channel = parsed.value;
  const alreadySubscribed = connection.channels.has(channel.name);
  if (!alreadySubscribed && connection.channels.size >= LIMITS.channelsPerSocket) {
    const limit = LIMITS.channelsPerSocket;
    return refusal(request, "LimitReached", 400, `A connection may subscribe to at most ${limit} channels`);
  }
  if (channel.kind === "server-to-user") {
    if (connection.userId === undefined || connection.userId !== channel.userId) {
      const reason = "Only a connection signed in as this user may subscribe to its channel";
      return refusal(request, "AuthError", 403, reason);
    }
    return ok({ channel, member: undefined });
  }
  if (!requiresAuth(channel.kind)) return ok({ channel, member: undefined });
  return admitSigned(state, connection, request, channel);
}

async function admitSigned(
  state: SubscribeState,
  connection: Connection,
  request: SubscribeRequest,
  channel: ChannelInfo,
): Promise<Verdict> {
  const isPresence = channel.kind === "presence";
  const signedInUser = state.users.session(connection);
  if (isPresence && request.channelData === undefined && signedInUser === undefined) {
    const reason = "Presence channels need channel_data signed by the auth endpoint, or a signed-in connection";
    return refusal(request, "AuthError", 401, reason);
  }
  // Without channel_data the member is the signed-in user, and the token covers only socket:channel.
  const signed = channelStringToSign(connection.id, channel.name, isPresence ? request.channelData : undefined);
  const token = await checkAppToken(state.app, request.auth, signed);
  if (!token.ok) {
    const reason =
      token.error.kind === "retired"
        ? retiredTokenMessage(token.error.key)
        : `Invalid signature: expected HMAC SHA256 hex digest of '${signed}'`;
    return refusal(request, "AuthError", 401, reason);
  }
  if (!isPresence) return ok({ channel, member: undefined });

  const maxInfoBytes = state.app.limits.maxPresenceMemberSizeBytes;
  const member =
    request.channelData !== undefined
      ? parsePresenceMember(request.channelData, maxInfoBytes)
      : signedInMember(signedInUser, maxInfoBytes);
  if (!member.ok) return refusal(request, "AuthError", 400, member.error);
  return ok({ channel, member: member.value });
}

/** Members are counted per user, so another socket of a user already present always fits. */
function checkPresenceRoom(
  state: SubscribeState,
  connection: Connection,
  admission: Admission,
): Result<Admission, SubscriptionError> {
  const { channel, member } = admission;
  const limit = state.app.limits.maxPresenceMembersPerChannel;
  if (
    member === undefined ||
    connection.channels.has(channel.name) ||
    state.presence.isMember(channel.name, member.userId) ||
    state.presence.memberCount(channel.name) < limit
  ) {
    return ok(admission);
  }
  return err({
    channel: channel.name,
    type: "LimitReached",
    status: 400,
    error: `Presence channel is full: at most ${limit} members`,
  });
}

function signedInMember(user: UserData | undefined, maxInfoBytes: number): Result<PresenceMember, string> {
  if (user === undefined) return err("Presence channels need channel_data or a signed-in connection");
  const info = user.info ?? {};
  const infoJson = JSON.stringify(info);
  if (utf8Length(infoJson) > maxInfoBytes) return err(`user_data.user_info is larger than ${maxInfoBytes} bytes`);
  return ok({ userId: user.id, info, infoJson });
}

/**
 * channel_data is `{"user_id": ..., "user_info": {...}}`. Backends such as
 * Laravel send numeric ids, so numbers are accepted and kept as strings,
 * which is how every client keys its member list.
 */
export function parsePresenceMember(channelData: string, maxInfoBytes: number): Result<PresenceMember, string> {
  let data: unknown;
  try {
    data = JSON.parse(channelData);
  } catch {
    return err("channel_data is not valid JSON");
  }
  if (!isRecord(data)) return err("channel_data must be a JSON object");
  const rawId = data.user_id;
  const userId = typeof rawId === "number" && Number.isFinite(rawId) ? String(rawId) : rawId;
  if (typeof userId !== "string" || userId.length === 0) {
    return err("channel_data.user_id must be a non-empty string");
  }
  if (userId.length > LIMITS.userIdLength) {
    return err(`channel_data.user_id is longer than ${LIMITS.userIdLength} characters`);
  }
  const info = data.user_info ?? {};
  const infoJson = JSON.stringify(info);
  if (utf8Length(infoJson) > maxInfoBytes) {
    return err(`channel_data.user_info is larger than ${maxInfoBytes} bytes`);
  }
  return ok({ userId, info, infoJson });
}
