import type { App } from "../config/app";
import { hubName, objectOf, type ShardAddress, shardsOf } from "../contract/objects";
import { log } from "../log";

export type ShardStub = ReturnType<Env["BEACON"]["getByName"]>;
export type HubStub = ReturnType<Env["HUB"]["getByName"]>;

/**
 * A sharded app's objects as one REST call reaches them, and what went
 * wrong on the way: a shard that failed or did not answer in time is
 * logged and counted, the others still do their part, and the count goes
 * into the answer (`failed_shards`).
 */
export class ShardedObjects {
  private failures = 0;
  private readonly addresses: ReadonlyMap<string, ShardAddress>;

  constructor(
    readonly app: App,
    private readonly beacons: Env["BEACON"],
    private readonly hubs: Env["HUB"],
  ) {
    this.addresses = new Map(shardsOf(app).map((address) => [address.name, address]));
  }

  /** Every shard the app has now. */
  shardNames(): string[] {
    return [...this.addresses.keys()];
  }

  shard(name: string): ShardStub {
    return objectOf(this.beacons, this.app.placement, this.addresses.get(name) ?? name);
  }

  hub(channel: string): HubStub {
    return objectOf(this.hubs, this.app.placement, hubName(this.app.id, channel));
  }

  /** Shards that failed their part of this call. */
  get failedShards(): number {
    return this.failures;
  }

  failed(shard: string, what: string, error: unknown): void {
    this.failures++;
    log("warn", "a shard failed its part of a REST call; the others did theirs", {
      app: this.app.id,
      shard,
      what,
      error: String(error),
    });
  }

  /** Shards a hub could not reach while answering. */
  unreached(count: number): void {
    this.failures += count;
  }
}
