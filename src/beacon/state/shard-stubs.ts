import type { App } from "../../config/app";
import { objectOf, type ShardAddress, shardsOf } from "../../contract/objects";

export type ShardStub = ReturnType<Env["BEACON"]["getByName"]>;

/**
 * A hub's way to its app's shards. One stub per shard for the life of the
 * instance: calls made on one stub arrive in the order they were made
 * (Durable Objects' E-order), which is what keeps a channel's frames in
 * order at every shard. Frames are numbered so that a shard can tell those
 * sent before a join's answer from those sent after.
 */
export class ShardStubs {
  private readonly stubs = new Map<string, ShardStub>();
  private readonly addresses: ReadonlyMap<string, ShardAddress>;
  /** Shards whose records this instance has checked with the shard itself (see hubs/confirm.ts). */
  private readonly confirmed = new Set<string>();
  private seq = 0;

  constructor(
    private readonly beacons: Env["BEACON"],
    private readonly app: App,
  ) {
    this.addresses = new Map(shardsOf(app).map((address) => [address.name, address]));
  }

  /** A shard no longer in the app's list (its `shards` was lowered) is still reached, without a hint. */
  stub(shard: string): ShardStub {
    let stub = this.stubs.get(shard);
    if (stub === undefined) {
      stub = objectOf(this.beacons, this.app.placement, this.addresses.get(shard) ?? shard);
      this.stubs.set(shard, stub);
    }
    return stub;
  }

  /**
   * The next frame number. Time-based, so that it also grows across the
   * hub's evictions: a shard compares numbers from one instance with the
   * next one's.
   */
  nextSeq(): number {
    this.seq = Math.max(this.seq + 1, Date.now() * 1000);
    return this.seq;
  }

  /** The number of the last frame sent, or the one the next would start from. */
  currentSeq(): number {
    this.seq = Math.max(this.seq, Date.now() * 1000);
    return this.seq;
  }

  isConfirmed(shard: string): boolean {
    return this.confirmed.has(shard);
  }

  confirm(shard: string): void {
    this.confirmed.add(shard);
  }

  /** A shard that failed a call may have restarted: its records are checked again before they are trusted. */
  doubt(shard: string): void {
    this.confirmed.delete(shard);
  }
}
