import { tmpdir } from "node:os";
import { join } from "node:path";
import { hostTarget, type Target } from "./host/miniflare.ts";
import { profileIfInspected } from "./host/profiler.ts";
import { nowMs } from "./load/messages.ts";
import { ClientPool } from "./load/pool.ts";
import type { BenchOptions } from "./options.ts";
import { type Column, columnsTable } from "./report/columns.ts";
import { mergeRounds } from "./report/merge.ts";
import { capacity } from "./scenarios/capacity.ts";
import { ScenarioContext, type ScenarioResult } from "./scenarios/context.ts";
import { operations } from "./scenarios/operations.ts";
import { shardedFanout } from "./scenarios/sharded-fanout.ts";

/** A column of the shards scenario: the baseline, or Sower at a shard count. */
interface Contender {
  name: string;
  host: () => Promise<Target>;
}

function columnName(shards: number): string {
  return shards === 1 ? "1 shard" : `${shards} shards`;
}

/** Sower at a shard count, hosted as the options say (profiled, audit log on or off). */
function sowerAt(shards: number, options: BenchOptions): Contender {
  return {
    name: columnName(shards),
    host: () => hostTarget("sower", { inspect: options.profile === "sower", shards, audit: options.audit }),
  };
}

/**
 * The shards, operations and capacity scenarios. Each target is hosted in its own
 * workerd, one after another (a shard count is a setting of the whole
 * Worker), so only one holds sockets at a time.
 */
export async function shardScenarios(options: BenchOptions): Promise<Record<string, Column[]>> {
  const results: Record<string, Column[]> = {};
  const pool = new ClientPool(options.threads);
  try {
    if (options.shardScenarios.includes("shards")) {
      const contenders: Contender[] = [
        ...(options.targets.includes("baseline")
          ? [{ name: "baseline", host: () => hostTarget("baseline", { inspect: options.profile === "baseline" }) }]
          : []),
        ...(options.targets.includes("sower") ? options.shardCounts.map((shards) => sowerAt(shards, options)) : []),
      ];
      for (const subscribers of options.shardSubscribers) {
        const rounds = options.rounds > 1 ? ` (median of ${options.rounds} rounds)` : "";
        const title = `shards: fan-out to ${subscribers.toLocaleString("en-US")} subscribers of one channel${rounds}`;
        const columns = await runEach(contenders, pool, options, `${subscribers}`, (context) =>
          shardedFanout(context, subscribers),
        );
        if (columns.length === 0) break;
        results[`shards-${subscribers}`] = columns;
        console.log(columnsTable(title, columns, columnName(1)));
      }
    }
    if (options.shardScenarios.includes("operations") && options.targets.includes("sower")) {
      // Counted by the objects, so Sower only: one column per shard count.
      const contenders = options.shardCounts.map((shards) => sowerAt(shards, options));
      const columns = await runEach(contenders, pool, options, "operations", operations);
      results.operations = columns;
      const title = "operations: Durable Object requests per operation, counted by the objects";
      if (columns.length > 0) console.log(columnsTable(title, columns, columnName(1)));
    }
    if (options.shardScenarios.includes("capacity") && options.targets.includes("sower")) {
      const shards = options.capacityShards;
      const columns = await runEach([sowerAt(shards, options)], pool, options, "capacity", capacity);
      results.capacity = columns;
      const title = `capacity: ${options.capacitySockets.toLocaleString("en-US")} sockets over ${shards} shards, one channel`;
      if (columns.length > 0) console.log(columnsTable(title, columns, columnName(shards)));
    }
  } finally {
    await pool.stop();
  }
  return results;
}

/**
 * Each contender for `options.rounds` rounds, the order reversed every other
 * round so drift in the machine's load falls on all; figures are medians.
 */
async function runEach(
  contenders: readonly Contender[],
  pool: ClientPool,
  options: BenchOptions,
  label: string,
  run: (context: ScenarioContext) => Promise<ScenarioResult>,
): Promise<Column[]> {
  const rounds = new Map<string, ScenarioResult[]>();
  for (let round = 0; round < options.rounds; round++) {
    for (const contender of round % 2 === 0 ? contenders : [...contenders].reverse()) {
      if (nowMs() > options.deadlineAtMs) {
        console.log(`\nDeadline reached: skipped ${contender.name} and later runs.`);
        break;
      }
      const target = await contender.host();
      try {
        const profiler = await profileIfInspected(target);
        const result = await run(new ScenarioContext(target, pool, options));
        rounds.set(contender.name, [...(rounds.get(contender.name) ?? []), result]);
        if (profiler !== undefined) {
          const path = join(tmpdir(), `${contender.name.replace(" ", "-")}-${label}.cpuprofile`);
          console.log(
            `\nCPU profile of ${contender.name} (${label}, ${path}), self time:\n${await profiler.stop(path)}`,
          );
        }
      } finally {
        await target.close();
      }
    }
  }
  return contenders.flatMap((contender) => {
    const results = rounds.get(contender.name);
    return results === undefined ? [] : [{ name: contender.name, result: mergeRounds(results) }];
  });
}
