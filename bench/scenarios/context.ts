import type { Target } from "../host/miniflare.ts";
import { cpuSeconds, rssBytes, selfCpuSeconds } from "../host/proc.ts";
import type {
  Counter,
  Counts,
  DeliveryStats,
  OpenResult,
  SignIn,
  SignInResult,
  SubscribeResult,
  Subscription,
} from "../load/messages.ts";
import { nowMs } from "../load/messages.ts";
import type { ClientPool } from "../load/pool.ts";
import type { BenchOptions } from "../options.ts";

/** What Cloudflare bills, counted for one scenario on one target. */
export interface Billing {
  /** Requests to the stateless Worker: WebSocket upgrades and REST calls. */
  workerRequests: number;
  /** Durable Object requests: one per upgrade and one per RPC (each REST call). */
  objectRequests: number;
  /** Frames the clients sent; Cloudflare bills 20 of these as one request. */
  incomingMessages: number;
  rowsRead: number;
  rowsWritten: number;
  /** Wall time the object was kept busy by the scenario. */
  awakeSeconds: number;
}

export interface Figure {
  label: string;
  value: number;
  unit: string;
  /** Which direction is better, so the report can say whether a ratio is good. */
  better: "higher" | "lower" | "none";
  /** After several rounds, each round's value in the order run (`value` is their median). */
  rounds?: number[];
}

export interface ScenarioResult {
  figures: Figure[];
  billing: Billing;
  /** Loss, duplicates, reordering and protocol errors: all must be zero. */
  faults: { lost: number; duplicates: number; reordered: number; errors: number; failedSockets: number };
  notes: string[];
}

export interface Usage {
  wallSeconds: number;
  serverCpuSeconds: number;
  clientCpuSeconds: number;
  /** Highest event-loop utilisation of any client thread (1 = the load generator saturated). */
  clientUtilisation: number;
}

/** Everything a scenario needs: the target, the client threads and the limits of the run. */
export class ScenarioContext {
  readonly billing: Billing = {
    workerRequests: 0,
    objectRequests: 0,
    incomingMessages: 0,
    rowsRead: 0,
    rowsWritten: 0,
    awakeSeconds: 0,
  };
  readonly notes: string[] = [];
  private readonly startedAt = nowMs();

  readonly target: Target;
  readonly pool: ClientPool;
  readonly options: BenchOptions;

  constructor(target: Target, pool: ClientPool, options: BenchOptions) {
    this.target = target;
    this.pool = pool;
    this.options = options;
  }

  serverRss(): number {
    return rssBytes(this.target.pids);
  }

  /** Opens `count` sockets across the threads; each counts as a Worker and an object request. */
  async open(count: number, deflate = false): Promise<OpenResult> {
    const results = await this.pool.all<OpenResult>((thread) => ({
      op: "open",
      origin: this.target.origin,
      key: this.options.appKey,
      count: this.pool.share(count, thread),
      deflate,
    }));
    this.billing.workerRequests += count;
    this.billing.objectRequests += count;
    return {
      connectMs: results.flatMap((result) => result.connectMs),
      failures: results.reduce((sum, result) => sum + result.failures, 0),
      deflateNegotiated: results.reduce((sum, result) => sum + result.deflateNegotiated, 0),
    };
  }

  /** `planFor(g)` says who the socket with global index g signs in as, or null for none. */
  async signIn(count: number, planFor: (index: number) => SignIn | null): Promise<{ failures: number }> {
    const results = await this.pool.all<SignInResult>((thread) => ({
      op: "signIn",
      plans: this.pool.indexes(count, thread).map(planFor),
    }));
    for (let index = 0; index < count; index++) if (planFor(index) !== null) this.billing.incomingMessages++;
    return { failures: results.reduce((sum, result) => sum + result.failures, 0) };
  }

  /** `planFor(g)` lists the subscriptions of the socket with global index g. */
  async subscribe(
    count: number,
    planFor: (index: number) => Subscription[],
  ): Promise<{ ms: number[]; failures: number }> {
    const results = await this.pool.all<SubscribeResult>((thread) => ({
      op: "subscribe",
      plans: this.pool.indexes(count, thread).map(planFor),
    }));
    for (let index = 0; index < count; index++) this.billing.incomingMessages += planFor(index).length;
    return {
      ms: results.flatMap((result) => result.subscribeMs),
      failures: results.reduce((sum, result) => sum + result.failures, 0),
    };
  }

  async unsubscribe(count: number, planFor: (index: number) => Subscription[]): Promise<void> {
    await this.pool.all((thread) => ({ op: "unsubscribe", plans: this.pool.indexes(count, thread).map(planFor) }));
    for (let index = 0; index < count; index++) this.billing.incomingMessages += planFor(index).length;
  }

  private reset(): Promise<unknown> {
    return this.pool.all(() => ({ op: "reset" }));
  }

  /**
   * Waits until the threads together have counted `target` of `counter`, or
   * the scenario timeout passes. Returns the monotonic time of the last
   * increment, so the poll interval does not blur the figure.
   */
  async waitFor(counter: Counter, target: number): Promise<{ count: number; lastAtMs: number }> {
    const giveUpAt = Math.min(nowMs() + this.options.waitTimeoutMs, this.options.deadlineAtMs);
    for (;;) {
      const counts = await this.pool.all<Counts>(() => ({ op: "counts" }));
      const count = counts.reduce((sum, thread) => sum + thread[counter].count, 0);
      const lastAtMs = Math.max(...counts.map((thread) => thread[counter].lastAtMs));
      if (count >= target || nowMs() > giveUpAt) return { count, lastAtMs };
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  private collect(): Promise<DeliveryStats[]> {
    return this.pool.all<DeliveryStats>(() => ({ op: "collect" }));
  }

  async closeAll(): Promise<void> {
    await this.pool.all(() => ({ op: "close" }));
  }

  /** Runs `work` and measures the server tree's and the load generator's CPU around it. */
  async measure<T>(work: () => Promise<T>): Promise<{ result: T; usage: Usage; stats: DeliveryStats[] }> {
    await this.reset();
    const server = cpuSeconds(this.target.pids);
    const client = selfCpuSeconds();
    const started = nowMs();
    const result = await work();
    const wallSeconds = (nowMs() - started) / 1000;
    const serverCpuSeconds = cpuSeconds(this.target.pids) - server;
    const clientCpuSeconds = selfCpuSeconds() - client;
    const stats = await this.collect();
    return {
      result,
      stats,
      usage: {
        wallSeconds,
        serverCpuSeconds,
        clientCpuSeconds,
        clientUtilisation: Math.max(...stats.map((thread) => thread.utilisation)),
      },
    };
  }

  /** Adds SQLite counters and awake time; called once at the end of the scenario. */
  async finish(sqlBefore: { rowsRead: number; rowsWritten: number }): Promise<void> {
    const after = await this.target.sqlCounts();
    this.billing.rowsRead = after.rowsRead - sqlBefore.rowsRead;
    this.billing.rowsWritten = after.rowsWritten - sqlBefore.rowsWritten;
    this.billing.awakeSeconds = (nowMs() - this.startedAt) / 1000;
  }
}
