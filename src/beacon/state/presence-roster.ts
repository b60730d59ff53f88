import type { PresenceMember as PresenceMemberInfo } from "../../contract/rpc";
import { jsonObject } from "../../lib/json";
import type { PresenceSnapshot } from "../../protocol/server-frames";

/** A presence subscriber as admitted: its user, and the user_info it brings. */
export interface PresenceMember {
  userId: string;
  info: unknown;
  /** The user_info exactly as stored, so a wake-up restores the same member. */
  infoJson: string;
}

interface Member {
  info: unknown;
  sockets: Set<string>;
}

/**
 * Presence membership counted per user, not per socket (docs/protocol.md §7.2):
 * a user with three tabs is one member, added with the first and removed
 * after the last.
 */
export class PresenceRoster {
  private readonly channels = new Map<string, Map<string, Member>>();

  /** True when this socket made the user a new member of the channel. */
  join(channel: string, userId: string, info: unknown, socketId: string): boolean {
    let members = this.channels.get(channel);
    if (members === undefined) {
      members = new Map();
      this.channels.set(channel, members);
    }
    const member = members.get(userId);
    if (member !== undefined) {
      member.sockets.add(socketId);
      return false;
    }
    members.set(userId, { info, sockets: new Set([socketId]) });
    return true;
  }

  /** True when the user's last socket left, so the user is no longer a member. */
  leave(channel: string, userId: string, socketId: string): boolean {
    const members = this.channels.get(channel);
    const member = members?.get(userId);
    if (members === undefined || member === undefined) return false;
    member.sockets.delete(socketId);
    if (member.sockets.size > 0) return false;
    members.delete(userId);
    if (members.size === 0) this.channels.delete(channel);
    return true;
  }

  isMember(channel: string, userId: string): boolean {
    return this.channels.get(channel)?.has(userId) ?? false;
  }

  memberCount(channel: string): number {
    return this.channels.get(channel)?.size ?? 0;
  }

  userIds(channel: string): string[] {
    return [...(this.channels.get(channel)?.keys() ?? [])];
  }

  snapshot(channel: string): PresenceSnapshot {
    const members = this.channels.get(channel) ?? new Map<string, Member>();
    const hash = jsonObject(Array.from(members, ([userId, member]) => [userId, member.info] as const));
    return { ids: [...members.keys()], hash, count: members.size };
  }

  /** Each member with the user_info they brought, as JSON text: RPC copies only values whose type it knows. */
  membersWithInfo(channel: string): PresenceMemberInfo[] {
    return Array.from(this.channels.get(channel) ?? [], ([id, member]) => ({
      id,
      info: JSON.stringify(member.info ?? null),
    }));
  }
}

/** A member's user_info as stored (JSON text, or null for none); unreadable text counts as none. */
export function parseStoredUserInfo(json: string | null): unknown {
  if (json === null) return {};
  try {
    return JSON.parse(json);
  } catch {
    return {};
  }
}
