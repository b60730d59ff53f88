import { writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { hostTarget, type Target, type TargetName } from "./host/miniflare.ts";
import { Profiler } from "./host/profiler.ts";
import { nowMs } from "./load/messages.ts";
import { ClientPool } from "./load/pool.ts";
import { type BenchOptions, parseOptions, type ScenarioName } from "./options.ts";
import { type ByTarget, scenarioTable } from "./report/table.ts";
import { channels } from "./scenarios/channels.ts";
import { clientEvents } from "./scenarios/client-events.ts";
import { connect } from "./scenarios/connect.ts";
import { ScenarioContext, type ScenarioResult } from "./scenarios/context.ts";
import { fanout } from "./scenarios/fanout.ts";
import { presence } from "./scenarios/presence.ts";
import { wranglerDev } from "./wrangler-dev.ts";

/**
 * `npm run bench`: every scenario against Sower and the bare baseline in one
 * run, each hosted the same way, printed side by side with Sower / baseline.
 */
const RUNNERS: Record<ScenarioName, { title: string; run: (context: ScenarioContext) => Promise<ScenarioResult> }> = {
  connect: { title: "1. connect + subscribe", run: connect },
  fanout: { title: "2. fan-out: one channel", run: (context) => fanout(context, false) },
  channels: { title: "3. fan-out over many channels", run: channels },
  "client-events": { title: "4. client events within private pairs", run: clientEvents },
  presence: { title: "5. presence join and leave", run: presence },
  deflate: { title: "6. fan-out with permessage-deflate offered", run: (context) => fanout(context, true) },
};

async function main(options: BenchOptions): Promise<void> {
  const started = new Date();
  console.log(
    `Sower bench ${started.toISOString()}: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ` +
      `load ${loadavg()
        .map((load) => load.toFixed(2))
        .join(" ")}, ${options.threads} client threads`,
  );
  const pool = new ClientPool(options.threads);
  const hosts = await Promise.all(options.targets.map((name) => hostTarget(name, options.profile === name)));
  const results: Record<string, ByTarget> = {};
  try {
    for (const [position, scenario] of options.scenarios.entries()) {
      if (nowMs() > options.deadlineAtMs) {
        console.log(`\nDeadline reached: skipped ${scenario} and later scenarios.`);
        break;
      }
      const byTarget: ByTarget = {};
      // Alternate which target goes first, so drift in the machine's load falls on both.
      const order = position % 2 === 0 ? hosts : [...hosts].reverse();
      for (const target of order) {
        const context = new ScenarioContext(target, pool, options);
        const profiler = await startProfiler(target);
        byTarget[target.name as TargetName] = await RUNNERS[scenario].run(context);
        if (profiler !== undefined) {
          const path = join(tmpdir(), `${target.name}-${scenario}.cpuprofile`);
          console.log(
            `\nCPU profile of ${target.name} in ${scenario} (${path}), self time:\n${await profiler.stop(path)}`,
          );
        }
        // Let the object settle (close handlers, SQLite clean-up) before the next measurement.
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      results[scenario] = byTarget;
      console.log(scenarioTable(RUNNERS[scenario].title, byTarget));
    }
  } finally {
    await pool.stop();
    await Promise.all(hosts.map((host) => host.close()));
  }
  let wrangler: unknown;
  if (options.wranglerDev && nowMs() < options.deadlineAtMs) wrangler = await wranglerDev(options);
  console.log(
    `\nDone in ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s; load now ${loadavg()[0]?.toFixed(2)}.`,
  );
  if (options.json !== undefined) {
    writeFileSync(options.json, JSON.stringify({ started, options, results, wrangler }, null, 2));
  }
}

async function startProfiler(target: Target): Promise<Profiler | undefined> {
  if (target.inspectorUrl === undefined) return undefined;
  const profiler = await Profiler.attach(target.inspectorUrl, target.name);
  await profiler.start();
  return profiler;
}

main(parseOptions(process.argv.slice(2))).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
