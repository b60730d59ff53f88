import type { HistoryPosition } from "../../contract/history";

/** One event of a history channel on its way to a shard's subscribers. */
export interface Delivery {
  readonly serial: number;
  readonly frame: string;
  /** The socket that must not get it (the sender of a client event, a REST call's socket_id). */
  readonly except?: string;
}

/** What to do next: send these in order, then, when `fillAfter` is set, ask the hub for what comes after it. */
export interface StreamStep {
  readonly emit: readonly Delivery[];
  readonly fillAfter?: { readonly serial: number; readonly epoch: string | undefined };
}

interface Stream {
  epoch: string | undefined;
  /** The last serial sent to the shard's subscribers; undefined until a join's answer or a delivery says. */
  serial: number | undefined;
  /** Set when `serial` was taken from the first delivery after a wake: older ones still on their way are sent late. */
  assumedFrom: number | undefined;
  /** Deliveries that came before one with a smaller serial. */
  readonly held: Map<number, Delivery>;
  /** Joins and client events in flight: a gap waits for them instead of being filled from the hub. */
  holds: number;
  filling: boolean;
  /** Sockets that already have the events up to a serial (a resume's missed events, a join's position). */
  readonly floors: Map<string, number>;
}

const NOTHING: StreamStep = { emit: [] };

/**
 * What a shard of a sharded app knows of each history channel it holds,
 * in memory: the hub numbers a channel's events, and deliveries of events
 * published at once may arrive here in either order. Each channel's
 * deliveries leave in serial order, each once; a gap that no delivery in
 * flight here will fill is asked of the hub (docs/history.md).
 */
export class HistoryStreams {
  private readonly streams = new Map<string, Stream>();

  /** The channel's position as its subscribers here have it; undefined when the shard does not know it. */
  position(channel: string): HistoryPosition | undefined {
    const stream = this.streams.get(channel);
    if (stream?.epoch === undefined || stream.serial === undefined) return undefined;
    return { epoch: stream.epoch, serial: stream.serial };
  }

  /** The shard's first subscriber is joining: whatever it knew of the channel is stale. */
  restart(channel: string): void {
    const stream = this.streams.get(channel);
    if (stream === undefined || stream.holds === 0) this.streams.delete(channel);
  }

  /** A join or a client event is in flight: deliveries past a gap wait for it. */
  hold(channel: string): void {
    this.stream(channel).holds++;
  }

  /** What was held for; `position` is a join's answer (where the shard stands when it is first attached). */
  release(channel: string, position?: HistoryPosition): StreamStep {
    const stream = this.stream(channel);
    stream.holds = Math.max(0, stream.holds - 1);
    if (position !== undefined) {
      stream.epoch ??= position.epoch;
      if (stream.serial === undefined) {
        stream.serial = position.serial;
        stream.assumedFrom = undefined;
      }
    }
    return this.drain(stream);
  }

  arrive(channel: string, delivery: Delivery): StreamStep {
    const stream = this.stream(channel);
    if (stream.serial !== undefined && delivery.serial <= stream.serial) {
      // Only a delivery older than the first one after a wake can come late; it was sent to no one yet.
      const late = stream.assumedFrom !== undefined && delivery.serial < stream.assumedFrom;
      return late ? { emit: [delivery] } : NOTHING;
    }
    if (!stream.held.has(delivery.serial)) stream.held.set(delivery.serial, delivery);
    return this.drain(stream);
  }

  /** The hub's answer to a gap (undefined when it failed, or the gap is gone): what can be sent now. */
  filled(channel: string, position: HistoryPosition | undefined, events: readonly Delivery[] | undefined): StreamStep {
    const stream = this.stream(channel);
    stream.filling = false;
    if (events === undefined) {
      // What is missing cannot be had: the deliveries here go on from the oldest held.
      if (position !== undefined && position.epoch !== stream.epoch) stream.epoch = position.epoch;
      stream.serial = undefined;
      stream.assumedFrom = undefined;
    } else {
      for (const event of events) if (!stream.held.has(event.serial)) stream.held.set(event.serial, event);
    }
    return this.drain(stream);
  }

  /** The socket has every event up to `serial`: deliveries up to it pass it by. */
  floor(channel: string, socketId: string, serial: number): void {
    this.stream(channel).floors.set(socketId, serial);
  }

  /** The sockets to skip for a delivery; a floor goes once a later serial passes it (deliveries leave in order). */
  skipFor(channel: string, serial: number): ReadonlySet<string> | undefined {
    const floors = this.streams.get(channel)?.floors;
    if (floors === undefined || floors.size === 0) return undefined;
    const skip = new Set<string>();
    for (const [socketId, floor] of floors) {
      if (floor >= serial) skip.add(socketId);
      else floors.delete(socketId);
    }
    return skip;
  }

  forget(channel: string): void {
    const stream = this.streams.get(channel);
    if (stream !== undefined && stream.holds === 0 && !stream.filling) this.streams.delete(channel);
  }

  private stream(channel: string): Stream {
    let stream = this.streams.get(channel);
    if (stream === undefined) {
      stream = {
        epoch: undefined,
        serial: undefined,
        assumedFrom: undefined,
        held: new Map(),
        holds: 0,
        filling: false,
        floors: new Map(),
      };
      this.streams.set(channel, stream);
    }
    return stream;
  }

  private drain(stream: Stream): StreamStep {
    if (stream.held.size === 0) return NOTHING;
    if (stream.serial === undefined) {
      if (stream.holds > 0) return NOTHING;
      // Woken with subscribers and no join to say where the channel stood: start at the oldest here.
      const oldest = Math.min(...stream.held.keys());
      stream.serial = oldest - 1;
      stream.assumedFrom = oldest;
    }
    const emit: Delivery[] = [];
    let next = stream.held.get(stream.serial + 1);
    while (next !== undefined) {
      emit.push(next);
      stream.held.delete(next.serial);
      stream.serial = next.serial;
      next = stream.held.get(stream.serial + 1);
    }
    for (const serial of stream.held.keys()) if (serial <= stream.serial) stream.held.delete(serial);
    if (stream.held.size === 0 || stream.holds > 0 || stream.filling) return { emit };
    stream.filling = true;
    return { emit, fillAfter: { serial: stream.serial, epoch: stream.epoch } };
  }
}
