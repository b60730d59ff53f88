import { hostWranglerDev } from "./host/wrangler-dev.ts";
import { ClientPool } from "./load/pool.ts";
import type { BenchOptions } from "./options.ts";
import { scenarioTable } from "./report/table.ts";
import { connect } from "./scenarios/connect.ts";
import { ScenarioContext, type ScenarioResult } from "./scenarios/context.ts";
import { fanout } from "./scenarios/fanout.ts";
import { flood } from "./scenarios/flood.ts";

/** Past about 3,300 sockets `wrangler dev`'s proxy runs out of file descriptors here. */
const WRANGLER_DEV_MAX_SOCKETS = 3000;

/**
 * `--wrangler-dev`: connect, fan-out and (when chosen) the flood on Sower
 * under `wrangler dev`, what `npm start` gives, printed on its own (the
 * Sower column is wrangler dev).
 */
export async function wranglerDev(options: BenchOptions): Promise<Record<string, ScenarioResult>> {
  const bounded = { ...options, sockets: Math.min(options.sockets, WRANGLER_DEV_MAX_SOCKETS) };
  const target = await hostWranglerDev();
  const pool = new ClientPool(options.threads);
  const results: Record<string, ScenarioResult> = {};
  try {
    results.connect = await connect(new ScenarioContext(target, pool, bounded));
    console.log(scenarioTable("wrangler dev (npm start): connect + subscribe", { sower: results.connect }));
    results.fanout = await fanout(new ScenarioContext(target, pool, bounded), false);
    console.log(scenarioTable("wrangler dev (npm start): fan-out, one channel", { sower: results.fanout }));
    if (options.scenarios.includes("flood")) {
      results.flood = await flood(new ScenarioContext(target, pool, bounded));
      console.log(
        scenarioTable("wrangler dev (npm start): one socket flooding client events", { sower: results.flood }),
      );
    }
  } finally {
    await pool.stop();
    await target.close();
  }
  return results;
}
