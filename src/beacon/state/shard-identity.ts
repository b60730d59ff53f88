import { SHARD_META } from "./schema";
import type { Store } from "./store";

/**
 * Whether this Beacon is a shard of a sharded app, and its name: kept in
 * SQLite, since hubs call a shard back by name and an alarm wakes it with
 * no caller to say. Read once per instance.
 */
export class ShardIdentity {
  private known: string | undefined;
  private read = false;

  constructor(private readonly store: Pick<Store, "getMeta" | "setMeta">) {}

  current(): string | undefined {
    if (!this.read) {
      this.known = this.store.getMeta(SHARD_META);
      this.read = true;
    }
    return this.known;
  }

  /** Records the name a caller gave; true when it is news. */
  name(shard: string): boolean {
    if (this.current() === shard) return false;
    this.store.setMeta(SHARD_META, shard);
    this.known = shard;
    return true;
  }
}
