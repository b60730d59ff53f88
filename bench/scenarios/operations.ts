import type { ClientEventsResult, Counter, SignIn, Subscription } from "../load/messages.ts";
import { signedGet } from "../load/rest.ts";
import { type CallDelta, callDelta, callsTo, describeCalls, socketHandlerCalls } from "./calls.ts";
import type { Figure, ScenarioContext, ScenarioResult } from "./context.ts";
import { publish } from "./publish.ts";
import { countBilling } from "./sharded-fanout.ts";

const SOCKETS = 200;
/** Sockets of one presence channel, one user each: Pusher's default member limit. */
const MEMBERS = 100;
const PUBLIC = ["ops-a", "ops-b", "ops-c"];
const PRESENCE = "presence-ops";
const TRIGGERS = 50;
const READS = 20;
const PAIRS = 50;
/** Sockets that sign in, each as its own user watching the next two. */
const SIGNERS = 50;
/** Time for calls that follow an operation's last visible effect (a shard's report to a hub). */
const SETTLE_MS = 1000;
/** Long enough for idle objects to be evicted: about 10 s in the local runtime after their last alarm (a hub hands on its counts up to 10 s after the leaves). */
const IDLE_MS = 30_000;
/** The socket opened beyond SOCKETS, which joins the presence channel once its hub has slept (after the leaves: the channel is full before). */
const LATE = SOCKETS;

/**
 * What each kind of operation costs in Durable Object requests, counted by
 * the objects themselves (docs/scaling.md, "What the bench measures"): at
 * one Beacon each is one request or none, and sharding adds the hub and
 * shard calls its design says. Socket handler calls (incoming messages,
 * billed at a twentieth of a request) are left out of each figure and
 * counted apart. Sower only: the baseline counts nothing.
 */
export async function operations(context: ScenarioContext): Promise<ScenarioResult> {
  const figures: Figure[] = [];
  let failures = 0;
  /** Deliveries and presence notices that never came: each phase waits for every one. */
  let lost = 0;
  const seen = { duplicates: 0, reordered: 0, errors: 0 };
  const awaitAll = async (counter: Counter, expected: number) => {
    lost += Math.max(0, expected - (await context.waitFor(counter, expected)).count);
  };
  const sqlBefore = await context.target.sqlCounts();
  const callsBefore = await context.target.callCounts();
  /** Runs `work` and adds its billed requests (socket handler calls apart) per operation as a figure. */
  const counted = async <T>(
    label: string,
    operations: number | ((result: T) => number),
    work: () => Promise<T>,
    check?: (calls: CallDelta) => void,
  ): Promise<T> => {
    const before = await context.target.callCounts();
    // Measured, so each phase's counters start from zero.
    const { result, stats } = await context.measure(work);
    for (const thread of stats) {
      seen.duplicates += thread.duplicates;
      seen.reordered += thread.reordered;
      seen.errors += thread.errors;
      for (const sample of thread.errorSamples.slice(0, 3)) context.notes.push(`${label}: error ${sample}`);
    }
    const calls = callDelta(before, await context.target.callCounts());
    const count = typeof operations === "number" ? operations : operations(result);
    const requests = calls.total - socketHandlerCalls(calls);
    figures.push({ label, value: requests / Math.max(1, count), unit: "", better: "lower" });
    if (calls.total > 0) context.notes.push(`${label}: ${describeCalls(calls)}`);
    check?.(calls);
    return result;
  };

  const opened = await counted("per connect", SOCKETS + 1, () => context.open(SOCKETS + 1));
  const subscriptions = SOCKETS * PUBLIC.length;
  const subscribed = await counted("per subscribe (3 public channels a socket)", subscriptions, () =>
    context.subscribe(SOCKETS, () => PUBLIC.map((channel) => ({ channel }))),
  );
  failures += subscribed.failures;

  const presencePlan = (index: number): Subscription[] =>
    index < MEMBERS ? [{ channel: PRESENCE, presenceUserId: `ops-user-${index}` }] : [];
  const announced = (MEMBERS * (MEMBERS - 1)) / 2;
  await counted("per presence join", MEMBERS, async () => {
    const joined = await context.subscribe(SOCKETS, presencePlan);
    failures += joined.failures;
    await awaitAll("memberAdded", announced);
  });

  await counted("per trigger to 3 channels", TRIGGERS, async () => {
    const published = await publish(context, TRIGGERS, 1, () => PUBLIC);
    failures += published.failures;
    await awaitAll("deliveries", TRIGGERS * subscriptions);
  });
  await counted("per batch trigger (an event to each of 3 channels)", TRIGGERS, async () => {
    const published = await publish(context, TRIGGERS, 1, () => PUBLIC, undefined, true);
    failures += published.failures;
    await awaitAll("deliveries", TRIGGERS * subscriptions);
  });

  const reads = async (path: string, query: Record<string, string> = {}) => {
    for (let read = 0; read < READS; read++) {
      if ((await signedGet(context.target.origin, path, query)) !== 200) failures++;
    }
  };
  await counted("per GET /channels", READS, () => reads("/channels"));
  await counted("per GET /channels/{name}?info=subscription_count", READS, () =>
    reads(`/channels/${PUBLIC[0]}`, { info: "subscription_count" }),
  );
  await counted("per GET /channels/{presence}/users", READS, () => reads(`/channels/${PRESENCE}/users`));

  // Every member but the first leaves; the first sees each go. Whether a leaver also
  // sees those who left before it depends on timing across shards, so only the first's
  // notices are awaited, and the objects are given a second to finish what follows.
  const leavers = MEMBERS - 1;
  await counted("per presence leave", leavers, async () => {
    await context.unsubscribe(SOCKETS, (index) => (index === 0 ? [] : presencePlan(index)));
    await awaitAll("memberRemoved", leavers);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  });
  // Nothing happens until the objects have been evicted; the next join wakes the channel's hub,
  // which checks with each shard holding members before it trusts their records (docs/scaling.md).
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
  const late = (index: number): Subscription[] =>
    index === LATE ? [{ channel: PRESENCE, presenceUserId: "ops-user-late" }] : [];
  await counted(
    "per presence join on a hub just woken",
    1,
    async () => {
      const joined = await context.subscribe(SOCKETS + 1, late);
      failures += joined.failures;
      // The one member left hears of the newcomer.
      await awaitAll("memberAdded", 1);
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    },
    (calls) => {
      // A hub that stayed awake asks no shard: then this figure is an ordinary join's, and the report says so.
      if (callsTo(calls, "Hub.join") > 0 && callsTo(calls, "Beacon.reportFor") === 0) {
        context.notes.push("per presence join on a hub just woken: the hub had not slept, no shard was asked");
      }
    },
  );

  const signer = (index: number): SignIn | null =>
    index < SIGNERS
      ? { userId: `ops-signer-${index}`, watchlist: [1, 2].map((step) => `ops-signer-${(index + step) % SIGNERS}`) }
      : null;
  await counted("per sign-in watching 2 users", SIGNERS, async () => {
    failures += (await context.signIn(SIGNERS, signer)).failures;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  });

  await context.closeAll();

  // Client events within private pairs, each pair's sockets wherever they were placed.
  const pairSockets = PAIRS * 2;
  const pairOf = (index: number) => `private-ops-pair-${Math.floor(index / 2)}`;
  const pairsOpened = await context.open(pairSockets);
  failures += (await context.subscribe(pairSockets, (index) => [{ channel: pairOf(index) }])).failures;
  await counted(
    "per client event relayed",
    (sent: number) => sent,
    async () => {
      const sent = await context.pool.all<ClientEventsResult>((thread) => ({
        op: "clientEvents",
        channels: context.pool.indexes(pairSockets, thread).map(pairOf),
        firstSender: thread * 1_000_000,
        ratePerSecond: 2,
        durationMs: 3000,
      }));
      const total = sent.reduce((sum, thread) => sum + thread.sent, 0);
      await awaitAll("deliveries", total);
      return total;
    },
  );
  await counted("per close", pairSockets, () => context.closeAll());
  await context.finish(sqlBefore);
  countBilling(context, callDelta(callsBefore, await context.target.callCounts()));
  return {
    figures,
    billing: context.billing,
    notes: context.notes,
    faults: { lost, ...seen, errors: seen.errors + failures, failedSockets: opened.failures + pairsOpened.failures },
  };
}
