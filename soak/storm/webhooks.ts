import { WEBHOOK_LEAVE_GRACE_MS } from "../../src/protocol/webhooks.ts";
import { eventsOf, type ReceivedWebhook } from "../../test/e2e/support/webhook-receiver.ts";

/**
 * What the backend heard of one channel, or one member of a presence
 * channel, across the restart: nothing, or a leave and then a join.
 */
export interface WebhookVerdicts {
  /** Channels, and presence members, whose return came after the grace period, with their leave and join. */
  afterGrace: number;
  membersAfterGrace: number;
  /** A leave and a join for something that was back within the grace period: flapping. Must be 0. */
  flapsWithinGrace: number;
  /** Anything but nothing or one leave then one join: a lost or doubled event. Must be 0. */
  badSequences: number;
  /** cache_miss webhooks: every cache channel kept its event, so there must be none. */
  cacheMisses: number;
}

/** When each subject (`channel` or `channel user`) was first subscribed again, as the client saw it. */
export type Returns = Map<string, number>;

const LEAVES = new Set(["channel_vacated", "member_removed"]);
const JOINS = new Set(["channel_occupied", "member_added"]);

/**
 * Judges the webhooks sent after the restart. The object woke no earlier
 * than `firstAttemptAt` (the first reconnection attempt), so anything back
 * before `firstAttemptAt` + the grace period was certainly back within it
 * and must have sent nothing. Later returns may or may not have beaten the
 * alarm; either way the backend must end up hearing the subject is there.
 */
export function judgeWebhooks(
  requests: readonly ReceivedWebhook[],
  path: string,
  returns: Returns,
  firstAttemptAt: number,
): WebhookVerdicts {
  const heard = new Map<string, string[]>();
  let cacheMisses = 0;
  for (const request of requests) {
    if (request.path !== path || request.status !== 200) continue;
    for (const event of eventsOf(request)) {
      const { name, channel, user_id: userId } = event;
      if (typeof name !== "string" || typeof channel !== "string") continue;
      if (name === "cache_miss" && returns.has(channel)) cacheMisses++;
      if (!LEAVES.has(name) && !JOINS.has(name)) continue;
      const subject = typeof userId === "string" ? `${channel} ${userId}` : channel;
      if (!returns.has(subject)) continue;
      heard.set(subject, [...(heard.get(subject) ?? []), name]);
    }
  }
  const verdicts: WebhookVerdicts = {
    afterGrace: 0,
    membersAfterGrace: 0,
    flapsWithinGrace: 0,
    badSequences: 0,
    cacheMisses,
  };
  for (const [subject, returnedAt] of returns) {
    const events = heard.get(subject) ?? [];
    if (events.length === 0) continue;
    const [leave, join] = events;
    const pair = events.length === 2 && LEAVES.has(leave ?? "") && JOINS.has(join ?? "");
    if (!pair) verdicts.badSequences++;
    else if (returnedAt < firstAttemptAt + WEBHOOK_LEAVE_GRACE_MS) verdicts.flapsWithinGrace++;
    else {
      verdicts.afterGrace++;
      // A member's subject is "channel user"; a channel name holds no space.
      if (subject.includes(" ")) verdicts.membersAfterGrace++;
    }
  }
  return verdicts;
}
