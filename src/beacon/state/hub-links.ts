import type { App } from "../../config/app";
import type { JoinAnswer } from "../../contract/hub-rpc";
import { hubName, objectOf } from "../../contract/objects";
import { Admissions } from "./admissions";
import { type Delivery, HistoryStreams } from "./history-streams";

export type HubStub = ReturnType<Env["HUB"]["getByName"]>;

/** A join in flight, and the hub frames that reached the shard for its channel meanwhile. */
export interface PendingJoin {
  readonly channel: string;
  readonly socketId: string;
  /** False for a sign-in or watch, which registers the socket with a user's hub without subscribing it. */
  readonly subscribes: boolean;
  readonly frames: Array<{ seq: number; frame: string; except?: string }>;
  /** History channels: the deliveries sent to the channel's subscribers here meanwhile, in order. */
  readonly deliveries: Delivery[];
}

/**
 * A join that only attaches this shard to its channel (no member, no cache
 * read, no resume), in flight: the shard's other subscribes to the channel
 * meanwhile wait for its answer instead of asking the hub again.
 */
export interface AttachingJoin {
  readonly answer: Promise<JoinAnswer>;
  /** The first subscriber's join, which keeps what reached the shard for the channel from the start. */
  readonly first: PendingJoin;
}

/**
 * A shard's way to its app's hubs, and what it must remember of the joins
 * it has in flight. One stub per hub for the life of the instance, so that
 * a shard's calls to a hub arrive in the order it made them (E-order).
 */
export class HubLinks {
  private readonly stubs = new Map<string, HubStub>();
  private readonly pending = new Map<string, Set<PendingJoin>>();
  private readonly attaching = new Map<string, AttachingJoin>();
  readonly admissions = new Admissions();
  /** Per channel, per socket: the hub frame number its join answer reflected. */
  private readonly baselines = new Map<string, Map<string, number>>();
  /** Where each history channel's deliveries stand here. */
  readonly streams = new HistoryStreams();

  constructor(
    private readonly hubs: Env["HUB"],
    private readonly app: App,
    /** This shard's own name, by which hubs call it back. */
    readonly shard: string,
  ) {}

  hub(channel: string): HubStub {
    let stub = this.stubs.get(channel);
    if (stub === undefined) {
      stub = objectOf(this.hubs, this.app.placement, hubName(this.app.id, channel));
      this.stubs.set(channel, stub);
    }
    return stub;
  }

  beginJoin(channel: string, socketId: string, subscribes = true): PendingJoin {
    const join: PendingJoin = { channel, socketId, subscribes, frames: [], deliveries: [] };
    const joins = this.pending.get(channel);
    if (joins === undefined) this.pending.set(channel, new Set([join]));
    else joins.add(join);
    return join;
  }

  /** The attaching join in flight for the channel, which a subscribe that only attaches can wait for. */
  attachingJoin(channel: string): AttachingJoin | undefined {
    return this.attaching.get(channel);
  }

  beginAttach(channel: string, answer: Promise<JoinAnswer>, first: PendingJoin): AttachingJoin {
    const join = { answer, first };
    this.attaching.set(channel, join);
    return join;
  }

  /** Its answer came (or the call failed): the next subscribe that needs the hub asks it. */
  endAttach(join: AttachingJoin): void {
    if (this.attaching.get(join.first.channel) === join) this.attaching.delete(join.first.channel);
  }

  /**
   * The join is answered (or failed): it is no longer in flight, and hub
   * frames numbered up to `seq` are already in what its answer gave.
   */
  endJoin(join: PendingJoin, seq?: number): void {
    const joins = this.pending.get(join.channel);
    joins?.delete(join);
    if (joins?.size === 0) this.pending.delete(join.channel);
    if (seq === undefined) return;
    const baselines = this.baselines.get(join.channel);
    if (baselines === undefined) this.baselines.set(join.channel, new Map([[join.socketId, seq]]));
    else baselines.set(join.socketId, seq);
  }

  /** Sockets with a join in flight to the channel's hub; `subscribing` keeps only those joining the channel itself. */
  joining(channel: string, subscribing = false): string[] {
    const sockets = new Set<string>();
    for (const join of this.pending.get(channel) ?? []) if (join.subscribes || !subscribing) sockets.add(join.socketId);
    return [...sockets];
  }

  /** A history channel's delivery went to its subscribers here: joins in flight keep it for their socket. */
  emitted(channel: string, delivery: Delivery): void {
    for (const join of this.pending.get(channel) ?? []) if (join.subscribes) join.deliveries.push(delivery);
  }

  /**
   * A hub frame arrived: it is kept for every join in flight on its
   * channel, and the sockets whose join answer already reflected it are
   * returned, to be skipped. A socket is skipped only until a later frame
   * comes: the hub sends in order, so every frame after that one is new.
   */
  arrived(channel: string, seq: number, frame: string, except?: string): ReadonlySet<string> {
    for (const join of this.pending.get(channel) ?? []) {
      join.frames.push(except === undefined ? { seq, frame } : { seq, frame, except });
    }
    const baselines = this.baselines.get(channel);
    if (baselines === undefined) return NONE;
    const skip = new Set<string>();
    for (const [socketId, baseline] of baselines) {
      if (baseline >= seq) skip.add(socketId);
      else baselines.delete(socketId);
    }
    if (baselines.size === 0) this.baselines.delete(channel);
    return skip;
  }
}

const NONE: ReadonlySet<string> = new Set();
