import type { ChannelAttributes, PublishEvent, PublishResult } from "../../contract/rpc";
import * as frames from "../../protocol/server-frames";
import { rememberIfCacheChannel } from "../cache";
import type { Room } from "../room";
import { channelAttributes } from "./attributes";

/**
 * `POST /events` and `/batch_events`. It runs without awaiting anything, so
 * the events of one call, and of calls made one after another, reach every
 * subscriber in order. Each frame is encoded once per channel (the channel
 * name is part of it) and only for channels someone is subscribed to.
 */
export function publish(room: Room, events: readonly PublishEvent[]): PublishResult {
  const now = Date.now();
  return events.map((event) => {
    const except = event.socketId === undefined ? undefined : room.connections.get(event.socketId);
    for (const channel of event.channels) {
      // Cached even with nobody subscribed: the next subscriber is who it is for.
      rememberIfCacheChannel(room, channel, event.name, event.data, now);
      if (room.channels.count(channel) === 0) continue;
      room.channels.broadcast(channel, frames.userEvent(event.name, channel, event.data), except);
    }
    const { info } = event;
    if (info === undefined) return null;
    const counts: Record<string, ChannelAttributes> = {};
    for (const channel of event.channels) counts[channel] = channelAttributes(room, channel, info);
    return counts;
  });
}
