import { DurableObject } from "cloudflare:workers";
import { channelOf, isName, type RoomChannel } from "./channels";
import { isMessageText, MESSAGE_TEXT_RULE } from "./message-text";
import { done, type Outcome, refuse } from "./outcome";
import { applyChanges, type Profile, publicPart } from "./profile";
import { readConfig } from "./room-config";
import { type Member, type RoomConfig, RoomStore } from "./room-store";
import { Publisher, pusherFor, type SowerSettings } from "./sower";
import { hashToken, newToken } from "./tokens";

// The all-polls snapshot is one event, and an event's data may be 10 KB.
const MAX_POLLS = 20;
const MAX_OPTIONS = 8;

/** How a member appears to others: their id and public properties only. */
export interface PublicMember {
  id: string;
  profile: Profile;
}

/** What `/pusher/auth` signs: presence data for the members channel, nothing more for the others. */
export type Grant = { user_id: string; user_info: Profile } | null;

/**
 * One room: its members and their profiles, polls, counters and configuration,
 * in SQLite. Every change is published through Sower, to cache channels
 * where a newcomer should see the current value at once.
 */
export class Room extends DurableObject<SowerSettings> {
  private readonly store: RoomStore;
  private readonly publisher: Publisher;

  constructor(ctx: DurableObjectState, env: SowerSettings) {
    super(ctx, env);
    this.store = new RoomStore(ctx.storage.sql);
    this.publisher = new Publisher(pusherFor(env));
  }

  async join(profile: unknown, admin: boolean): Promise<Outcome<{ id: string; token: string; admin: boolean }>> {
    const initial = applyChanges({}, profile);
    if (typeof initial === "string") return refuse(400, initial);
    const id = crypto.randomUUID();
    const token = newToken();
    this.store.addMember(id, await hashToken(token), initial, admin);
    return done({ id, token, admin });
  }

  /** The whole profile, private properties included: for its owner only. */
  async me(token: string): Promise<Outcome<Member>> {
    return this.memberFor(token);
  }

  async authorize(token: string, channel: RoomChannel): Promise<Outcome<Grant>> {
    const member = await this.memberFor(token);
    if (!member.ok) return member;
    if (channel.kind === "admin" && !member.value.admin)
      return refuse(403, "only the room's admins hear what is relayed to them");
    if (channel.kind !== "members") return done(null);
    return done({ user_id: member.value.id, user_info: publicPart(member.value.profile) });
  }

  async updateProfile(room: string, token: string, changes: unknown): Promise<Outcome<Profile>> {
    const member = await this.memberFor(token);
    if (!member.ok) return member;
    const next = applyChanges(member.value.profile, changes);
    if (typeof next === "string") return refuse(400, next);
    this.store.setProfile(member.value.id, next);
    const before = JSON.stringify(publicPart(member.value.profile));
    // Private properties changed alone: nothing to tell anyone.
    if (JSON.stringify(publicPart(next)) !== before) {
      await this.publisher.publish(
        channelOf.members(room),
        "profile-updated",
        asPublic({ ...member.value, profile: next }),
      );
    }
    return done(next);
  }

  async chat(room: string, token: string, text: unknown): Promise<Outcome<null>> {
    return this.say(token, text, channelOf.members(room), "chat");
  }

  async askAdmin(room: string, token: string, text: unknown): Promise<Outcome<null>> {
    return this.say(token, text, channelOf.admin(room), "message");
  }

  /** For the admin broadcast: the sender, if an admin of this room. */
  async admin(token: string): Promise<Outcome<PublicMember>> {
    const member = await this.memberFor(token);
    if (!member.ok) return member;
    if (!member.value.admin) return refuse(403, "only an admin may broadcast");
    return done(asPublic(member.value));
  }

  async increment(room: string, token: string, counter: string, by: unknown): Promise<Outcome<number>> {
    const member = await this.memberFor(token);
    if (!member.ok) return member;
    if (!Number.isSafeInteger(by)) return refuse(400, "by must be a whole number, e.g. 1 or -5");
    const value = (this.store.counter(counter) ?? 0) + Number(by);
    if (!Number.isSafeInteger(value)) return refuse(400, `${counter} would leave the range of safe integers`);
    this.store.setCounter(counter, value);
    await this.publishCounter(room, counter);
    return done(value);
  }

  async setConfig(room: string, token: string, input: unknown): Promise<Outcome<RoomConfig>> {
    const member = await this.memberFor(token);
    if (!member.ok) return member;
    if (!member.value.admin) return refuse(403, "only an admin may configure the room");
    const config = readConfig(input);
    if (typeof config === "string") return refuse(400, config);
    this.store.setConfig(config);
    await this.publishConfig(room);
    return done(config);
  }

  /**
   * A `client-vote` from the members channel, reported by Sower's
   * `client_event` webhook with the voter's presence user id. The first vote
   * creates the poll and decides whether it is ephemeral.
   */
  async vote(room: string, memberId: string, vote: unknown): Promise<void> {
    if (this.store.member(memberId) === undefined) return;
    if (typeof vote !== "object" || vote === null || !("poll" in vote) || !("option" in vote)) return;
    const { poll, option } = vote;
    if (!isName(poll) || !isName(option)) return;
    if (this.store.poll(poll) === undefined) {
      if (this.store.pollCount() >= MAX_POLLS) return;
      this.store.createPoll(poll, "ephemeral" in vote && vote.ephemeral === true);
    }
    const options = this.store.optionsIn(poll);
    if (!options.includes(option) && options.length >= MAX_OPTIONS) return;
    this.store.vote(poll, memberId, option);
    await this.publishPolls(room, [poll]);
  }

  /** Sower's `member_removed` webhook, sent once the member has been gone for its 3 s grace. */
  async memberLeft(room: string, memberId: string): Promise<void> {
    const polls = this.store.dropEphemeralVotes(memberId);
    if (polls.length > 0) await this.publishPolls(room, [...new Set(polls)]);
  }

  /**
   * Sower's `cache_miss` webhook: a subscriber found nothing cached (nothing
   * published yet, or the cache outlived its 30 minutes). Publishing what the
   * room holds caches it again; a room holding nothing publishes nothing.
   */
  async republish(channel: RoomChannel): Promise<void> {
    switch (channel.kind) {
      case "config":
        return this.publishConfig(channel.room);
      case "polls":
        if (this.store.pollCount() > 0) await this.publishPolls(channel.room, []);
        return;
      case "poll":
        return this.publishTally(channel.room, channel.poll);
      case "counter":
        return this.publishCounter(channel.room, channel.counter);
      case "members":
      case "admin":
        return;
    }
  }

  private async say(token: string, text: unknown, channel: string, event: string): Promise<Outcome<null>> {
    const member = await this.memberFor(token);
    if (!member.ok) return member;
    if (!isMessageText(text)) return refuse(400, MESSAGE_TEXT_RULE);
    await this.publisher.publish(channel, event, { from: asPublic(member.value), text });
    return done(null);
  }

  /** The changed polls' own channels, then the all-polls snapshot. */
  private async publishPolls(room: string, changed: string[]): Promise<void> {
    for (const poll of changed) await this.publishTally(room, poll);
    await this.publisher.publish(channelOf.polls(room), "polls", { polls: this.store.tallies() });
  }

  private async publishTally(room: string, poll: string): Promise<void> {
    const tally = this.store.tally(poll);
    if (tally !== undefined) await this.publisher.publish(channelOf.poll(room, poll), "tally", tally);
  }

  private async publishCounter(room: string, counter: string): Promise<void> {
    const value = this.store.counter(counter);
    if (value !== undefined)
      await this.publisher.publish(channelOf.counter(room, counter), "value", { counter, value });
  }

  private async publishConfig(room: string): Promise<void> {
    const config = this.store.config();
    if (config !== undefined) await this.publisher.publish(channelOf.config(room), "config", { config });
  }

  private async memberFor(token: string): Promise<Outcome<Member>> {
    const member = this.store.memberByToken(await hashToken(token));
    return member === undefined ? refuse(401, "not a member of this room: join it first") : done(member);
  }
}

function asPublic(member: Member): PublicMember {
  return { id: member.id, profile: publicPart(member.profile) };
}
