import type { Connection } from "./connection";

const NONE: ReadonlySet<Connection> = new Set();

/** Told about every fan-out, for the app's message statistics. */
export interface FanoutMeter {
  fannedOut(frame: string, recipients: number): void;
}

/** channel -> subscribed sockets, so a publish touches only its subscribers. */
export class ChannelIndex {
  private readonly channels = new Map<string, Set<Connection>>();

  constructor(private readonly meter?: FanoutMeter) {}

  /** Returns the channel's subscriber count after adding. */
  add(channel: string, connection: Connection): number {
    let sockets = this.channels.get(channel);
    if (sockets === undefined) {
      sockets = new Set();
      this.channels.set(channel, sockets);
    }
    sockets.add(connection);
    return sockets.size;
  }

  /** Returns the channel's subscriber count after removing. */
  remove(channel: string, connection: Connection): number {
    const sockets = this.channels.get(channel);
    if (sockets === undefined) return 0;
    sockets.delete(connection);
    if (sockets.size === 0) this.channels.delete(channel);
    return sockets.size;
  }

  subscribers(channel: string): ReadonlySet<Connection> {
    return this.channels.get(channel) ?? NONE;
  }

  count(channel: string): number {
    return this.channels.get(channel)?.size ?? 0;
  }

  /** Occupied channels only: a channel with no subscriber is dropped. */
  names(): IterableIterator<string> {
    return this.channels.keys();
  }

  /** Sends one encoded frame to every subscriber but `except` and those in `skip`. */
  broadcast(channel: string, frame: string, except?: Connection, skip?: ReadonlySet<string>): void {
    const sockets = this.channels.get(channel);
    if (sockets === undefined) return;
    let recipients = 0;
    for (const connection of sockets) {
      if (connection === except || skip?.has(connection.id)) continue;
      connection.send(frame);
      recipients++;
    }
    if (recipients > 0) this.meter?.fannedOut(frame, recipients);
  }
}
