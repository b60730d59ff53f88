import { LIMITS } from "../../src/protocol/constants.ts";
import type { Subscription } from "../load/messages.ts";
import { nowMs } from "../load/messages.ts";
import { distribution } from "../report/stats.ts";
import type { ScenarioContext, ScenarioResult } from "./context.ts";

/**
 * Scenario 5: sockets join presence channels of at most 100 members (one
 * user each), then all leave. n members of one channel produce n(n-1)/2
 * member_added (each pair: the later joiner is announced to the earlier one)
 * and as many member_removed, whatever the order.
 */
export async function presence(context: ScenarioContext): Promise<ScenarioResult> {
  const sockets = context.options.presenceSockets;
  const perChannel = LIMITS.presenceMembers;
  const planFor = (index: number): Subscription[] => [
    { channel: `presence-bench-${Math.floor(index / perChannel)}`, presenceUserId: `user-${index}` },
  ];
  let expected = 0;
  for (let first = 0; first < sockets; first += perChannel) {
    const members = Math.min(perChannel, sockets - first);
    expected += (members * (members - 1)) / 2;
  }
  const sqlBefore = await context.target.sqlCounts();
  const opened = await context.open(sockets);
  const join = await context.measure(async () => {
    const startedAtMs = nowMs();
    const subscribed = await context.subscribe(sockets, planFor);
    const subscribedAtMs = nowMs();
    const done = await context.waitFor("memberAdded", expected);
    return { subscribed, done, seconds: (Math.max(done.lastAtMs, subscribedAtMs) - startedAtMs) / 1000 };
  });
  const leave = await context.measure(async () => {
    const startedAtMs = nowMs();
    await context.unsubscribe(sockets, planFor);
    const done = await context.waitFor("memberRemoved", expected);
    return { done, seconds: (done.lastAtMs - startedAtMs) / 1000 };
  });
  await context.closeAll();
  await context.finish(sqlBefore);
  const subscribe = distribution(join.result.subscribed.ms);
  const errors = [...join.stats, ...leave.stats].reduce((sum, thread) => sum + thread.errors, 0);
  for (const sample of [...join.stats, ...leave.stats].flatMap((thread) => thread.errorSamples).slice(0, 3)) {
    context.notes.push(`error: ${sample}`);
  }
  const joined = sockets - opened.failures - join.result.subscribed.failures;
  return {
    figures: [
      { label: "members", value: joined, unit: "", better: "none" },
      { label: "channels", value: Math.ceil(sockets / perChannel), unit: "", better: "none" },
      { label: "join: all announced", value: join.result.seconds, unit: "s", better: "lower" },
      { label: "join: subscribe p50", value: subscribe.p50, unit: "ms", better: "lower" },
      { label: "join: subscribe p99", value: subscribe.p99, unit: "ms", better: "lower" },
      { label: "member_added received", value: join.result.done.count, unit: "", better: "none" },
      { label: "member_added expected", value: expected, unit: "", better: "none" },
      { label: "leave: all announced", value: leave.result.seconds, unit: "s", better: "lower" },
      { label: "member_removed received", value: leave.result.done.count, unit: "", better: "none" },
      {
        label: "server CPU per join",
        value: (join.usage.serverCpuSeconds / Math.max(1, joined)) * 1e6,
        unit: "µs",
        better: "lower",
      },
      {
        label: "server CPU per leave",
        value: (leave.usage.serverCpuSeconds / Math.max(1, joined)) * 1e6,
        unit: "µs",
        better: "lower",
      },
      {
        label: "load generator CPU",
        value: join.usage.clientCpuSeconds + leave.usage.clientCpuSeconds,
        unit: "s",
        better: "none",
      },
    ],
    billing: context.billing,
    notes: context.notes,
    faults: {
      lost: Math.max(0, expected - join.result.done.count) + Math.max(0, expected - leave.result.done.count),
      duplicates: Math.max(0, join.result.done.count - expected) + Math.max(0, leave.result.done.count - expected),
      reordered: 0,
      errors: errors + join.result.subscribed.failures,
      failedSockets: opened.failures,
    },
  };
}
