import type { Counter } from "../../contract/stats";

/** What a hub counts for the app's statistics: the history it stored and pruned, and the REST calls it answered for the app. */
export type HubCounts = Record<"history_stored" | "history_pruned" | "messages_in" | "bytes_in" | "api_calls", number>;

function noCounts(): HubCounts {
  return { history_stored: 0, history_pruned: 0, messages_in: 0, bytes_in: 0, api_calls: 0 };
}

/**
 * A hub's counts since it last handed them on. Hubs keep no statistics of
 * their own: the counts go to the app's first shard, which counts them with
 * the app's (hubs/tally.ts), within FLUSH_INTERVAL_MS of the first one and
 * after any alarm.
 */
export class HubTally {
  private counts = noCounts();
  /** When the oldest count not yet handed on was made. */
  private since: number | undefined;

  constructor(
    /** Told when the first count of a new tally is made, to arm the alarm that hands it on. */
    private readonly started: () => void,
  ) {}

  count(counter: Counter, amount = 1): void {
    if (counter !== "history_stored" && counter !== "history_pruned") return;
    this.counts[counter] += amount;
    this.counted();
  }

  /**
   * A REST trigger this hub routed as its first channel's: one API call, and
   * its events in, as a Beacon counts a publish (each event once, whatever
   * its channels, with the bytes of its data).
   */
  trigger(events: number, bytesIn: number): void {
    this.counts.messages_in += events;
    this.counts.bytes_in += bytesIn;
    this.apiCall();
  }

  /** A REST call this hub answers for the app (a channel's figures, users or history, `terminate_connections`). */
  apiCall(): void {
    this.counts.api_calls++;
    this.counted();
  }

  startedAt(): number | undefined {
    return this.since;
  }

  /** The counts so far, reset; undefined when there are none. */
  take(): HubCounts | undefined {
    if (this.since === undefined) return undefined;
    const counts = this.counts;
    this.counts = noCounts();
    this.since = undefined;
    return counts;
  }

  private counted(): void {
    if (this.since !== undefined) return;
    this.since = Date.now();
    this.started();
  }
}
