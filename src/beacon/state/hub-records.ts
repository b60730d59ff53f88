import type { HubMember } from "../../contract/hub-rpc";
import { PresenceRoster, parseStoredUserInfo } from "./presence-roster";

/** Why a hub holds a socket: a presence member of its channel, signed in as its user, or watching its user. */
export type SocketRole = "member" | "signed-in" | "watcher";

const ROLES: readonly SocketRole[] = ["member", "signed-in", "watcher"];

function isRole(value: string): value is SocketRole {
  return ROLES.some((role) => role === value);
}

/** What removing a socket changed. */
export interface Removed {
  /** The user of a member socket. */
  readonly userId?: string;
  /** The member socket was its user's last, so the user left the channel. */
  readonly userLeft: boolean;
}

/**
 * A hub's records of the shards of its channel: how many subscribers each
 * has, and the sockets the hub must know one by one (presence members, and
 * for a user's hub its signed-in sockets and watchers). In SQLite, since a
 * hub holds no sockets to rebuild them from, and in memory while awake,
 * where the presence roster is kept by user.
 */
export class HubRecords {
  private readonly subscribers = new Map<string, number>();
  private readonly sockets: Record<SocketRole, Map<string, string>> = {
    member: new Map(),
    "signed-in": new Map(),
    watcher: new Map(),
  };
  /** The channel's members by user, from the member sockets. */
  readonly roster = new PresenceRoster();
  private readonly memberUsers = new Map<string, string>();

  constructor(
    private readonly sql: SqlStorage,
    private readonly channel: string,
  ) {
    for (const row of sql.exec<{ shard: string; subscribers: number }>("SELECT shard, subscribers FROM hub_shards")) {
      this.subscribers.set(row.shard, row.subscribers);
    }
    const rows = sql.exec<{
      socket_id: string;
      role: string;
      shard: string;
      user_id: string | null;
      user_info: string | null;
    }>("SELECT socket_id, role, shard, user_id, user_info FROM hub_sockets");
    for (const row of rows) {
      if (!isRole(row.role)) continue;
      this.sockets[row.role].set(row.socket_id, row.shard);
      if (row.role === "member" && row.user_id !== null) {
        this.memberUsers.set(row.socket_id, row.user_id);
        this.roster.join(channel, row.user_id, parseStoredUserInfo(row.user_info), row.socket_id);
      }
    }
  }

  /** Shards with subscribers: where the channel's events go. */
  attachedShards(): string[] {
    return [...this.subscribers.keys()];
  }

  /** Every shard the hub holds anything of. */
  knownShards(): string[] {
    const shards = new Set(this.subscribers.keys());
    for (const role of ROLES) for (const shard of this.sockets[role].values()) shards.add(shard);
    return [...shards];
  }

  totalSubscribers(): number {
    let total = 0;
    for (const count of this.subscribers.values()) total += count;
    return total;
  }

  subscribersOf(shard: string): number {
    return this.subscribers.get(shard) ?? 0;
  }

  /** A shard with no subscribers left is forgotten. */
  setSubscribers(shard: string, subscribers: number): void {
    if (subscribers === this.subscribers.get(shard)) return;
    if (subscribers <= 0) {
      if (!this.subscribers.delete(shard)) return;
      this.sql.exec("DELETE FROM hub_shards WHERE shard = ?", shard);
      return;
    }
    this.subscribers.set(shard, subscribers);
    this.sql.exec("INSERT OR REPLACE INTO hub_shards (shard, subscribers) VALUES (?, ?)", shard, subscribers);
  }

  /** True when the socket made its user a new member of the channel; a socket already in stays as it was. */
  addMember(shard: string, socketId: string, member: HubMember): boolean {
    if (this.sockets.member.has(socketId)) return false;
    this.write("member", shard, socketId, member.userId, member.infoJson);
    this.memberUsers.set(socketId, member.userId);
    return this.roster.join(this.channel, member.userId, parseStoredUserInfo(member.infoJson), socketId);
  }

  /** True when it is the first socket of its role (a user's first signed-in socket: the user came online). */
  addSocket(role: "signed-in" | "watcher", shard: string, socketId: string): boolean {
    const first = this.sockets[role].size === 0;
    if (this.sockets[role].has(socketId)) return false;
    this.write(role, shard, socketId, null, null);
    return first;
  }

  remove(role: SocketRole, socketId: string): Removed {
    if (!this.sockets[role].delete(socketId)) return { userLeft: false };
    this.sql.exec("DELETE FROM hub_sockets WHERE socket_id = ? AND role = ?", socketId, role);
    const userId = this.memberUsers.get(socketId);
    if (role !== "member" || userId === undefined) return { userLeft: false };
    this.memberUsers.delete(socketId);
    return { userId, userLeft: this.roster.leave(this.channel, userId, socketId) };
  }

  /** The sockets of one role on one shard. */
  socketsOn(role: SocketRole, shard: string): string[] {
    const found: string[] = [];
    for (const [socketId, holder] of this.sockets[role]) if (holder === shard) found.push(socketId);
    return found;
  }

  /** The sockets of one role, grouped by the shard holding them. */
  byShard(role: SocketRole): Map<string, string[]> {
    const grouped = new Map<string, string[]>();
    for (const [socketId, shard] of this.sockets[role]) {
      const list = grouped.get(shard);
      if (list === undefined) grouped.set(shard, [socketId]);
      else list.push(socketId);
    }
    return grouped;
  }

  count(role: SocketRole): number {
    return this.sockets[role].size;
  }

  private write(role: SocketRole, shard: string, socketId: string, userId: string | null, info: string | null): void {
    this.sockets[role].set(socketId, shard);
    this.sql.exec(
      "INSERT OR REPLACE INTO hub_sockets (socket_id, role, shard, user_id, user_info) VALUES (?, ?, ?, ?, ?)",
      socketId,
      role,
      shard,
      userId,
      info,
    );
  }
}
