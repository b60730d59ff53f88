/**
 * Who the storm's sockets are: a mix of public, private and presence
 * subscribers, each also on a cache channel, with presence users holding
 * one to three sockets each. Everything the checks expect is derived here.
 */
export interface StormSocketPlan {
  index: number;
  channel: string;
  cacheChannel: string;
  /** Presence sockets only. */
  userId?: string;
}

export interface StormPlan {
  sockets: StormSocketPlan[];
  cacheChannels: string[];
  /** Every channel with how many sockets hold it. */
  subscriptions: Map<string, number>;
  /** Each presence channel's users. */
  members: Map<string, Set<string>>;
}

const CHANNELS_PER_KIND = 100;
const CACHE_CHANNELS = 50;
/** Users per presence channel: with one to three sockets each, about a hundred sockets per channel. */
const USERS_PER_PRESENCE_CHANNEL = 50;

export function planStorm(count: number, tag: string): StormPlan {
  const sockets: StormSocketPlan[] = [];
  const cacheChannels = Array.from({ length: CACHE_CHANNELS }, (_, index) => `cache-storm-${tag}-${index}`);
  let user = 0;
  let socketsLeftForUser = 0;
  for (let index = 0; index < count; index++) {
    const cacheChannel = cacheChannels[index % CACHE_CHANNELS] ?? "";
    const slot = Math.floor(index / 3) % CHANNELS_PER_KIND;
    switch (index % 3) {
      case 0:
        sockets.push({ index, channel: `storm-public-${tag}-${slot}`, cacheChannel });
        break;
      case 1:
        sockets.push({ index, channel: `private-storm-${tag}-${slot}`, cacheChannel });
        break;
      default: {
        if (socketsLeftForUser === 0) {
          user++;
          socketsLeftForUser = 1 + (user % 3);
        }
        socketsLeftForUser--;
        const channel = `presence-storm-${tag}-${Math.floor(user / USERS_PER_PRESENCE_CHANNEL)}`;
        sockets.push({ index, channel, cacheChannel, userId: `storm-user-${user}` });
      }
    }
  }
  const subscriptions = new Map<string, number>();
  const members = new Map<string, Set<string>>();
  for (const socket of sockets) {
    for (const channel of [socket.channel, socket.cacheChannel]) {
      subscriptions.set(channel, (subscriptions.get(channel) ?? 0) + 1);
    }
    if (socket.userId === undefined) continue;
    const users = members.get(socket.channel) ?? new Set();
    users.add(socket.userId);
    members.set(socket.channel, users);
  }
  return { sockets, cacheChannels, subscriptions, members };
}
