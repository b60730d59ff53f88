import { hostTarget, type Target } from "./host/miniflare.ts";
import { nowMs } from "./load/messages.ts";
import { ClientPool } from "./load/pool.ts";
import type { BenchOptions } from "./options.ts";
import { type Column, columnsTable } from "./report/columns.ts";
import { capacity } from "./scenarios/capacity.ts";
import { ScenarioContext, type ScenarioResult } from "./scenarios/context.ts";
import { shardedFanout } from "./scenarios/sharded-fanout.ts";

/** A column of the shards scenario: the baseline, or Sower at a shard count. */
interface Contender {
  name: string;
  host: () => Promise<Target>;
}

function columnName(shards: number): string {
  return shards === 1 ? "1 shard" : `${shards} shards`;
}

/**
 * The shards and capacity scenarios. Each target is hosted in its own
 * workerd, one after another (a shard count is a setting of the whole
 * Worker), so only one holds sockets at a time.
 */
export async function shardScenarios(options: BenchOptions): Promise<Record<string, Column[]>> {
  const results: Record<string, Column[]> = {};
  const pool = new ClientPool(options.threads);
  try {
    if (options.shardScenarios.includes("shards")) {
      const contenders: Contender[] = [
        ...(options.targets.includes("baseline") ? [{ name: "baseline", host: () => hostTarget("baseline") }] : []),
        ...(options.targets.includes("sower")
          ? options.shardCounts.map((shards) => ({
              name: columnName(shards),
              host: () => hostTarget("sower", false, shards),
            }))
          : []),
      ];
      for (const subscribers of options.shardSubscribers) {
        const title = `shards: fan-out to ${subscribers.toLocaleString("en-US")} subscribers of one channel`;
        const columns = await runEach(contenders, pool, options, (context) => shardedFanout(context, subscribers));
        if (columns.length === 0) break;
        results[`shards-${subscribers}`] = columns;
        console.log(columnsTable(title, columns, columnName(1)));
      }
    }
    if (options.shardScenarios.includes("capacity") && options.targets.includes("sower")) {
      const shards = options.capacityShards;
      const contender = { name: columnName(shards), host: () => hostTarget("sower", false, shards) };
      const columns = await runEach([contender], pool, options, capacity);
      results.capacity = columns;
      const title = `capacity: ${options.capacitySockets.toLocaleString("en-US")} sockets over ${shards} shards, one channel`;
      if (columns.length > 0) console.log(columnsTable(title, columns, columnName(shards)));
    }
  } finally {
    await pool.stop();
  }
  return results;
}

async function runEach(
  contenders: readonly Contender[],
  pool: ClientPool,
  options: BenchOptions,
  run: (context: ScenarioContext) => Promise<ScenarioResult>,
): Promise<Column[]> {
  const columns: Column[] = [];
  for (const contender of contenders) {
    if (nowMs() > options.deadlineAtMs) {
      console.log(`\nDeadline reached: skipped ${contender.name} and later runs.`);
      break;
    }
    const target = await contender.host();
    try {
      columns.push({ name: contender.name, result: await run(new ScenarioContext(target, pool, options)) });
    } finally {
      await target.close();
    }
  }
  return columns;
}
