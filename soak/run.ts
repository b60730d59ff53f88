import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { WEBHOOK_EVENT_TYPES } from "../src/protocol/webhooks.ts";
import { WebhookReceiver } from "../test/e2e/support/webhook-receiver.ts";
import { hibernationCycles } from "./hibernation.ts";
import { HonestTraffic } from "./honest.ts";
import { hostRuntime, type SoakRuntime } from "./host/runtime.ts";
import { runFrameCampaign } from "./hostile/frame-campaign.ts";
import { runRequestCampaign } from "./hostile/request-campaign.ts";
import { type Phase, parseOptions, type SoakOptions } from "./options.ts";
import { checkRuntimeLimits } from "./runtime-limits.ts";
import {
  framesByCategory,
  framesSection,
  hibernationSection,
  outageSection,
  requestsSection,
  runtimeHealthSection,
  runtimeSection,
  stormSection,
} from "./sections.ts";
import { reconnectStorm } from "./storm/storm.ts";
import { failures, info, render, type Section } from "./summary.ts";
import { webhookOutage } from "./webhook-outage.ts";

/**
 * `npm run soak`: Sower attacked and mistreated on loopback, as an attacker
 * and an unlucky operator would, while honest clients go on and must lose
 * nothing. Every part is bounded; the run prints a summary table, writes it
 * to a file, and exits non-zero if any rule was broken.
 */
const WEBHOOK_PATH = "/soak";
/** Every event but the settled subscription counts, which would only add traffic the checks ignore. */
const WEBHOOK_EVENTS = WEBHOOK_EVENT_TYPES.filter((type) => type !== "subscription_count");
/** Honest triggers per second while an attack runs. */
const HONEST_RATE = 10;
const SETTLE_MS = 30_000;

interface Run {
  options: SoakOptions;
  runtime: SoakRuntime;
  receiver: WebhookReceiver;
  honest: HonestTraffic;
  tag: string;
  sections: Section[];
}

const PHASE_RUNNERS: Record<Phase, (run: Run) => Promise<void>> = {
  frames: async ({ options, runtime, honest, sections }) => {
    const started = Date.now();
    const campaign = runFrameCampaign(runtime.info, honest, {
      sockets: options.hostileSockets,
      flooders: options.flooders,
      frames: options.hostileFrames,
      durationMs: options.hostileSeconds * 1000,
      seed: options.seed,
    });
    await honest.runUntil(campaign, HONEST_RATE);
    const report = await campaign;
    await honest.settle(SETTLE_MS);
    await honest.checkRosters();
    sections.push(framesSection(report, honest.takeTally(), (Date.now() - started) / 1000), framesByCategory(report));
  },
  requests: async ({ options, runtime, honest, sections }) => {
    const started = Date.now();
    const campaign = runRequestCampaign(runtime.info, {
      lanes: options.requestLanes,
      requests: Number.MAX_SAFE_INTEGER,
      durationMs: options.requestSeconds * 1000,
      seed: options.seed,
      chunkPauseMs: 1,
    });
    await honest.runUntil(campaign, HONEST_RATE);
    const report = await campaign;
    await honest.settle(SETTLE_MS);
    sections.push(requestsSection(report, honest.takeTally(), (Date.now() - started) / 1000));
  },
  runtime: async ({ runtime, tag, sections }) => {
    sections.push(runtimeSection(await checkRuntimeLimits(runtime.info, tag)));
  },
  hibernation: async ({ options, runtime, honest, sections }) => {
    const report = await hibernationCycles(runtime, honest, options.cycles);
    sections.push(hibernationSection(report, honest.takeTally()));
  },
  outage: async ({ options, runtime, receiver, honest, tag, sections }) => {
    const outage = webhookOutage(runtime.info, receiver, WEBHOOK_PATH, tag, {
      channels: options.outageChannels,
      failSeconds: options.outageSeconds / 2,
      hangSeconds: options.outageSeconds / 2,
    });
    await honest.runUntil(outage, HONEST_RATE);
    const report = await outage;
    await honest.settle(SETTLE_MS);
    sections.push(outageSection(report, honest.takeTally()));
  },
  storm: async ({ options, runtime, receiver, honest, tag, sections }) => {
    // The restart drops every socket, the honest ones too: they have done their part.
    await honest.close();
    const report = await reconnectStorm(runtime, receiver, WEBHOOK_PATH, {
      sockets: options.stormSockets,
      spreadMs: 1000,
      tag,
    });
    sections.push(stormSection(report, options.stormCappedFrom));
  },
};

async function main(options: SoakOptions): Promise<number> {
  const started = new Date();
  const tag = started.getTime().toString(36);
  const header = [
    `Sower soak ${started.toISOString()}: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), load ${loadavg()
      .map((load) => load.toFixed(2))
      .join(" ")}`,
    `phases ${options.phases.join(", ")}; seed ${options.seed}; summary to ${options.out}`,
  ].join("\n");
  console.log(header);
  const receiver = new WebhookReceiver();
  const origin = await receiver.start();
  const runtime = await hostRuntime([{ url: `${origin}${WEBHOOK_PATH}`, event_types: WEBHOOK_EVENTS }]);
  const sections: Section[] = [];
  const finish = (note: string): number => {
    sections.push(runtimeHealthSection(runtime));
    const broken = failures(sections);
    const verdict = `${note}\n\n${broken.length === 0 ? "Every rule held." : `${broken.length} rule(s) broken: ${broken.map((row) => row.label).join("; ")}.`}`;
    const text = `${header}\n\n${render(sections)}\n\n${verdict}\n`;
    console.log(`\n${render(sections)}\n\n${verdict}`);
    writeFileSync(options.out, text);
    return broken.length === 0 && note.startsWith("Done") ? 0 : 1;
  };
  const watchdog = setTimeout(() => {
    const code = finish(
      `Stopped at the ${options.deadlineSeconds} s deadline; the summary holds the parts that finished.`,
    );
    // The runtime is a child process: stop it rather than leave it running, but do not wait on it for long.
    const stopped = Promise.all([runtime.close(), receiver.stop()]);
    Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 5000))]).finally(() => process.exit(code));
  }, options.deadlineSeconds * 1000);
  try {
    const honest = await HonestTraffic.open(runtime.info, options.honestSockets, tag);
    const run: Run = { options, runtime, receiver, honest, tag, sections };
    for (const phase of options.phases) {
      const phaseStarted = Date.now();
      const loop = performance.eventLoopUtilization();
      const before = sections.length;
      console.log(`${new Date().toISOString()} ${phase}...`);
      await PHASE_RUNNERS[phase](run);
      // Latencies measured here include this process's own delays: how busy it was says how much.
      const busy = performance.eventLoopUtilization(loop).utilization;
      sections[before]?.rows.push(info("this process (the load generator) busy", `${(busy * 100).toFixed(0)} %`));
      console.log(`${new Date().toISOString()} ${phase} done in ${((Date.now() - phaseStarted) / 1000).toFixed(0)} s`);
      // Written as each part ends, so a run that is killed still leaves what it found.
      writeFileSync(
        options.out,
        `${header}

${render(sections)}

In progress: ${phase} was the last part done.
`,
      );
    }
    if (!options.phases.includes("storm")) await honest.close();
    return finish(
      `Done in ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s; load now ${loadavg()[0]?.toFixed(2)}.`,
    );
  } finally {
    clearTimeout(watchdog);
    await runtime.close();
    await receiver.stop();
  }
}

main(parseOptions(process.argv.slice(2))).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
