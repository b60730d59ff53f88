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

const SCENARIOS = [
  { name: "connect", title: "connect + subscribe", run: connect },
  { name: "fanout", title: "fan-out, one channel", run: (context: ScenarioContext) => fanout(context, false) },
  { name: "flood", title: "one socket flooding client events", run: flood },
] as const;

/**
 * `--wrangler-dev`: those of connect, fan-out and the flood that were chosen,
 * on Sower under `wrangler dev`, what `npm start` gives, printed on their
 * own (the Sower column is wrangler dev).
 */
export async function wranglerDev(options: BenchOptions): Promise<Record<string, ScenarioResult>> {
  const bounded = { ...options, sockets: Math.min(options.sockets, WRANGLER_DEV_MAX_SOCKETS) };
  const chosen = SCENARIOS.filter((scenario) => options.scenarios.includes(scenario.name));
  const results: Record<string, ScenarioResult> = {};
  if (chosen.length === 0) return results;
  const target = await hostWranglerDev();
  const pool = new ClientPool(options.threads);
  try {
    for (const scenario of chosen) {
      results[scenario.name] = await scenario.run(new ScenarioContext(target, pool, bounded));
      console.log(scenarioTable(`wrangler dev (npm start): ${scenario.title}`, { sower: results[scenario.name] }));
    }
  } finally {
    await pool.stop();
    await target.close();
  }
  return results;
}
