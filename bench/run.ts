import { writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { hostTarget, type TargetName } from "./host/miniflare.ts";
import { profileIfInspected } from "./host/profiler.ts";
import { BenchConsole } from "./load/console.ts";
import { nowMs } from "./load/messages.ts";
import { ClientPool } from "./load/pool.ts";
import { type BenchOptions, parseOptions, type ScenarioName } from "./options.ts";
import { mergeRounds } from "./report/merge.ts";
import { type ByTarget, scenarioTable } from "./report/table.ts";
import { audit } from "./scenarios/audit.ts";
import { channels } from "./scenarios/channels.ts";
import { clientEvents } from "./scenarios/client-events.ts";
import { connect } from "./scenarios/connect.ts";
import { ScenarioContext, type ScenarioResult } from "./scenarios/context.ts";
import { fanout } from "./scenarios/fanout.ts";
import { flood } from "./scenarios/flood.ts";
import { history } from "./scenarios/history.ts";
import { presence } from "./scenarios/presence.ts";
import { shardScenarios } from "./shards.ts";
import { wranglerDev } from "./wrangler-dev.ts";

/**
 * `npm run bench`: every scenario against Sower and the bare baseline in one
 * run, each hosted the same way, printed side by side with Sower / baseline.
 */
interface Runner {
  title: string;
  run: (context: ScenarioContext) => Promise<ScenarioResult>;
  /** Runs on this target alone. */
  only?: TargetName;
}

const RUNNERS: Record<ScenarioName, Runner> = {
  connect: { title: "1. connect + subscribe", run: connect },
  fanout: { title: "2. fan-out: one channel", run: (context) => fanout(context, false) },
  channels: { title: "3. fan-out over many channels", run: channels },
  "client-events": { title: "4. client events within private pairs", run: clientEvents },
  presence: { title: "5. presence join and leave", run: presence },
  deflate: { title: "6. fan-out with permessage-deflate offered", run: (context) => fanout(context, true) },
  // The baseline enforces no limit: flooding it measures only how long its backlog takes to drain.
  flood: { title: "7. one socket flooding client events", run: flood, only: "sower" },
  // The baseline keeps no audit log.
  audit: { title: "8. audit log: rows per recorded trigger", run: audit, only: "sower" },
  // The baseline keeps no history: the scenario compares Sower's channels with and without it.
  history: { title: "9. channel history: rows and CPU per event", run: history, only: "sower" },
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
  const hosts =
    options.scenarios.length === 0
      ? []
      : await Promise.all(
          options.targets.map((name) => hostTarget(name, { inspect: options.profile === name, audit: options.audit })),
        );
  const results: Record<string, ByTarget> = {};
  try {
    for (const [position, scenario] of options.scenarios.entries()) {
      const rounds: Partial<Record<TargetName, ScenarioResult[]>> = {};
      for (let round = 0; round < options.rounds; round++) {
        if (nowMs() > options.deadlineAtMs) break;
        // Alternate which target goes first, so drift in the machine's load falls on both.
        const order = (position + round) % 2 === 0 ? hosts : [...hosts].reverse();
        for (const target of order) {
          if (RUNNERS[scenario].only !== undefined && RUNNERS[scenario].only !== target.name) continue;
          const context = new ScenarioContext(target, pool, options);
          const profiler = await profileIfInspected(target);
          const watching =
            options.console && target.name === "sower" ? await BenchConsole.open(target.origin) : undefined;
          const result = await RUNNERS[scenario].run(context);
          if (watching !== undefined) result.notes.push(watching.close());
          rounds[target.name] = [...(rounds[target.name] ?? []), result];
          if (profiler !== undefined) {
            const path = join(tmpdir(), `${target.name}-${scenario}.cpuprofile`);
            console.log(
              `\nCPU profile of ${target.name} in ${scenario} (${path}), self time:\n${await profiler.stop(path)}`,
            );
          }
          // Let the object settle (close handlers, SQLite clean-up) before the next measurement.
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
      if (rounds.sower === undefined && rounds.baseline === undefined) {
        console.log(`\nDeadline reached: skipped ${scenario} and later scenarios.`);
        break;
      }
      const byTarget: ByTarget = {};
      if (rounds.sower !== undefined) byTarget.sower = mergeRounds(rounds.sower);
      if (rounds.baseline !== undefined) byTarget.baseline = mergeRounds(rounds.baseline);
      results[scenario] = byTarget;
      const title = `${RUNNERS[scenario].title}${options.rounds > 1 ? ` (median of ${options.rounds} rounds)` : ""}`;
      console.log(scenarioTable(title, byTarget));
    }
  } finally {
    await pool.stop();
    await Promise.all(hosts.map((host) => host.close()));
  }
  let shards: unknown;
  if (options.shardScenarios.length > 0 && nowMs() < options.deadlineAtMs) shards = await shardScenarios(options);
  let wrangler: unknown;
  if (options.wranglerDev && nowMs() < options.deadlineAtMs) wrangler = await wranglerDev(options);
  console.log(
    `\nDone in ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s; load now ${loadavg()[0]?.toFixed(2)}.`,
  );
  if (options.json !== undefined) {
    writeFileSync(options.json, JSON.stringify({ started, options, results, shards, wrangler }, null, 2));
  }
}

main(parseOptions(process.argv.slice(2))).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
