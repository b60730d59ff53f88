import type { Metered } from "../contract/rpc";
import type { SeriesRead } from "../contract/series";
import type { StatsSnapshot } from "../contract/stats";
import type { Awake } from "./awake";
import { gauges } from "./rpc/channels";
import { ShardSurface } from "./shard-surface";
import type { Stats } from "./state/stats";

/**
 * The app's figures as the Worker reads them: for `GET /apps/{id}/stats`
 * and `/metrics`, and for the dashboard's graphs. Beacon (beacon.ts)
 * extends this and runs each as a REST read, a read request's point.
 */
export abstract class FiguresSurface extends ShardSurface {
  protected abstract readFigures<T>(appId: string, method: string, read: (awake: Awake, stats: Stats) => T): Metered<T>;

  async readStats(appId: string): Promise<Metered<StatsSnapshot>> {
    return this.readFigures(appId, "readStats", (awake, stats) => stats.snapshot(appId, gauges(awake), Date.now()));
  }

  /** The figures per minute from the Unix minute `from` on (docs/dashboard.md, "Graphs"). */
  async readSeries(appId: string, from: number): Promise<Metered<SeriesRead>> {
    return this.readFigures(appId, "readSeries", (_awake, stats) => stats.readSeries(from, Date.now()));
  }
}
