import { log } from "../log";
import { statsRegistry } from "../metrics/registry";
import { type MetricsEnv, metricsToken } from "../metrics/token";
import type { TimedWork } from "./alarms/alarm-clock";
import type { Awake } from "./awake";
import { gauges } from "./rpc/channels";
import { PublishSchedule } from "./state/publish-schedule";
import { FLUSH_INTERVAL_MS, type Stats } from "./state/stats";

/**
 * Sends this Beacon's figures to the stats registry (metrics/registry.ts),
 * which `GET /metrics` reads instead of waking every app: at most once per
 * stats flush interval, and within one interval of the last change
 * (state/publish-schedule.ts). Only a deployment that can be scraped
 * publishes: without METRICS_TOKEN nobody reads the registry, so nothing is
 * written to it.
 */
export class StatsPublisher {
  private readonly schedule: PublishSchedule;
  private readonly enabled: boolean;
  /**
   * What the last publish saw: the totals' revision and the open sockets.
   * Every change the registry shows moves one of them (a subscribe or
   * unsubscribe is a counted frame; a socket that goes, by close or by
   * terminate_connections, lowers the count), so work that changed nothing,
   * such as a read or the alarm that just published, owes nothing.
   */
  private sent: { readonly revision: number; readonly connections: number } | undefined;
  /** Publishes failed in a row; only the first is retried by the alarm (see publish). */
  private failures = 0;

  constructor(
    private readonly env: Pick<Env, "STATS_REGISTRY"> & MetricsEnv,
    /** This object's id: the registry keeps one record per object, so an app's several objects add up. */
    private readonly object: string,
    private readonly stats: Stats,
    owe: (dueAt: number) => void,
  ) {
    this.enabled = metricsToken(env) !== undefined;
    this.schedule = new PublishSchedule(FLUSH_INTERVAL_MS, owe);
  }

  /** After any work that may have changed what the registry shows: publishes now, or owes it to the alarm. */
  changed(awake: Awake, now: number): void {
    if (!this.enabled) return;
    if (this.sent?.revision === this.stats.revision && this.sent.connections === awake.connections.size) return;
    if (!this.schedule.changed(now)) return;
    // Not awaited: the Beacon goes on while it is sent; a pending RPC keeps the object running until it lands.
    void this.publish(awake, now);
  }

  /** The owed publish as one kind of the alarm's work. */
  timedWork(): TimedWork<Awake> {
    return {
      name: "stats-publish",
      nextDueAt: () => this.schedule.nextDueAt(),
      run: async (awake) => {
        const now = Date.now();
        if (this.schedule.takeDue(now)) await this.publish(awake, now);
      },
    };
  }

  private async publish(awake: Awake, now: number): Promise<void> {
    this.sent = { revision: this.stats.revision, connections: awake.connections.size };
    const record = this.stats.published(awake.app.id, gauges(awake), now);
    try {
      await statsRegistry(this.env.STATS_REGISTRY).publish(this.object, record.appId, now, JSON.stringify(record));
      this.failures = 0;
    } catch (error) {
      // Retried once, an interval later; after that the next change tries again, so a registry
      // that stays down cannot keep an idle Beacon waking for it.
      this.sent = undefined;
      if (++this.failures === 1) this.schedule.failed(Date.now());
      log("error", "stats could not be published", { app: awake.app.id, error: String(error) });
    }
  }
}
