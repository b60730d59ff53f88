import { parseArgs } from "node:util";
import type { TargetName } from "./host/miniflare.ts";
import { BENCH_APP } from "./load/app.ts";
import { nowMs } from "./load/messages.ts";

const SCENARIOS = [
  "connect",
  "fanout",
  "channels",
  "client-events",
  "presence",
  "deflate",
  "flood",
  "audit",
  "history",
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];
/** Scenarios that compare shard counts (bench/shards.ts), each target hosted in turn. */
const SHARD_SCENARIOS = ["shards", "operations", "capacity"] as const;
export type ShardScenarioName = (typeof SHARD_SCENARIOS)[number];
const EVERY_SCENARIO = [...SCENARIOS, ...SHARD_SCENARIOS];

export interface BenchOptions {
  scenarios: ScenarioName[];
  shardScenarios: ShardScenarioName[];
  /** Shard counts the shards scenario compares, beside the baseline. */
  shardCounts: number[];
  /** Subscriber counts of the shards scenario. */
  shardSubscribers: number[];
  /** Sockets and shards of the capacity scenario, and its broadcasts. */
  capacitySockets: number;
  capacityShards: number;
  capacityBroadcasts: number;
  targets: TargetName[];
  threads: number;
  /** Rounds of each scenario per target; figures are the median. */
  rounds: number;
  /** Sockets in the connect, fan-out, channels and deflate scenarios. */
  sockets: number;
  /** REST triggers in the fan-out burst (spread over `lanes`). */
  triggers: number;
  lanes: number;
  /** Paced triggers for the latency figures, and their rate per second. */
  pacedTriggers: number;
  pacedRate: number;
  /** Bytes of padding in each event's data. */
  payloadBytes: number;
  channels: number;
  pairs: number;
  clientEventRate: number;
  clientEventSeconds: number;
  presenceSockets: number;
  /** Sockets receiving paced triggers in the flood scenario. */
  floodReceivers: number;
  /** The flooder's rates after the phase without one; null is as fast as its socket takes frames. */
  floodRates: Array<number | null>;
  floodSeconds: number;
  wranglerDev: boolean;
  /** Keep one debug console open on Sower's Beacon through every scenario (the dashboard's live view). */
  console: boolean;
  /** Sower's app records its calls in the audit log (AUDIT); off, as an app that keeps none runs. */
  audit: boolean;
  /** Profile this target's Worker (its figures are then not comparable). */
  profile: TargetName | undefined;
  appKey: string;
  waitTimeoutMs: number;
  deadlineAtMs: number;
  json: string | undefined;
}

/** Hard caps: the bench must stay bounded whatever it is asked. */
const CAPS = {
  sockets: 15_000,
  triggers: 100_000,
  lanes: 64,
  threads: 16,
  rounds: 9,
  pacedTriggers: 10_000,
  pacedRate: 1_000,
  payloadBytes: 10_000,
  channels: 10_000,
  pairs: 7_500,
  clientEventRate: 10,
  clientEventSeconds: 120,
  presenceSockets: 15_000,
  floodReceivers: 15_000,
  floodRate: 1_000_000,
  floodSeconds: 60,
  shards: 64,
  capacitySockets: 15_000,
  capacityBroadcasts: 1_000,
} as const;

const USAGE = `npm run bench -- [flags]

  --scenarios=a,b     ${EVERY_SCENARIO.join(",")} (default: all)
  --targets=a,b       sower,baseline (default: both)
  --threads=N         client threads (default 2)
  --rounds=N          rounds per scenario and target, figures are medians (default 1)
  --sockets=N         sockets for connect/fanout/channels/deflate (default 1000)
  --triggers=N        fan-out burst triggers (default 200)
  --lanes=N           concurrent REST connections, each in order (default 4)
  --paced=N           paced triggers for latency (default 40)
  --rate=N            paced triggers per second (default 20)
  --payload=N         padding bytes per event (default 100)
  --channels=N        channels in the channels scenario (default 1000)
  --pairs=N           client-event pairs (default 250)
  --event-rate=N      client events per socket per second, at most 10 (default 5)
  --event-seconds=N   client-event duration (default 5)
  --presence=N        presence sockets, 100 per channel (default 500)
  --flood-receivers=N sockets receiving paced triggers in the flood scenario (default 200)
  --flood-rates=a,b   the flooder's client events per second in turn, or "full" (default 100,1000,full)
  --flood-seconds=N   length of each flood phase (default 5)
  --shards=a,b        shard counts the shards scenario compares (default 1,4,8)
  --shard-subscribers=a,b  subscribers of the shards scenario (default 1000,5000); triggers and
                      the paced rate scale so each size gets the deliveries of 1,000
  --capacity=N        sockets of the capacity scenario (default 8000; npm run bench raises \`ulimit -n\` for it)
  --capacity-shards=N shards of the capacity scenario (default 8)
  --broadcasts=N      paced broadcasts in the capacity scenario (default 20)
  --console           keep one dashboard debug console open on Sower's Beacon during each scenario
  --wrangler-dev      also run connect, fan-out and flood (those chosen) on \`wrangler dev\` (what \`npm start\` gives)
  --audit-off         host Sower's app with its audit log off (AUDIT=false), as an app that keeps none runs
  --profile=TARGET    record a V8 CPU profile of sower or baseline per scenario and shard count (slows it: not for figures)
  --wait=S            seconds to wait for deliveries before counting losses (default 60)
  --deadline=S        global deadline for the whole run (default 900)
  --json=PATH         also write every figure as JSON`;

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenarios: { type: "string" },
      shards: { type: "string" },
      "shard-subscribers": { type: "string" },
      capacity: { type: "string" },
      "capacity-shards": { type: "string" },
      broadcasts: { type: "string" },
      targets: { type: "string" },
      threads: { type: "string" },
      rounds: { type: "string" },
      sockets: { type: "string" },
      triggers: { type: "string" },
      lanes: { type: "string" },
      paced: { type: "string" },
      rate: { type: "string" },
      payload: { type: "string" },
      channels: { type: "string" },
      pairs: { type: "string" },
      "event-rate": { type: "string" },
      "event-seconds": { type: "string" },
      presence: { type: "string" },
      "flood-receivers": { type: "string" },
      "flood-rates": { type: "string" },
      "flood-seconds": { type: "string" },
      "wrangler-dev": { type: "boolean" },
      console: { type: "boolean" },
      "audit-off": { type: "boolean" },
      profile: { type: "string" },
      wait: { type: "string" },
      deadline: { type: "string" },
      json: { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (value: string | undefined, fallback: number, cap: number, name: string): number => {
    const parsed = value === undefined ? fallback : Number(value);
    if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`--${name} must be a positive integer`);
    return Math.min(parsed, cap);
  };
  const audit = !(values["audit-off"] ?? false);
  // Scenario 8 measures the audit log: with it off there is nothing to measure.
  const chosen = values.scenarios?.split(",") ?? EVERY_SCENARIO.filter((name) => audit || name !== "audit");
  if (!audit && chosen.includes("audit"))
    throw new Error("scenario 'audit' measures the audit log: not with --audit-off");
  for (const name of chosen) {
    if (!EVERY_SCENARIO.some((scenario) => scenario === name)) {
      throw new Error(`unknown scenario '${name}': ${EVERY_SCENARIO.join(", ")}`);
    }
  }
  const scenarios = chosen.flatMap((name) => SCENARIOS.filter((scenario) => scenario === name));
  const shardScenarios = chosen.flatMap((name) => SHARD_SCENARIOS.filter((scenario) => scenario === name));
  const list = (value: string | undefined, fallback: string, cap: number, name: string) =>
    (value ?? fallback).split(",").map((item) => int(item, 0, cap, name));
  const targets = (values.targets?.split(",") ?? ["sower", "baseline"]).map((name) => {
    if (name !== "sower" && name !== "baseline") throw new Error(`unknown target '${name}'`);
    return name;
  });
  return {
    scenarios,
    shardScenarios,
    shardCounts: list(values.shards, "1,4,8", CAPS.shards, "shards"),
    shardSubscribers: list(values["shard-subscribers"], "1000,5000", CAPS.sockets, "shard-subscribers"),
    capacitySockets: int(values.capacity, 8000, CAPS.capacitySockets, "capacity"),
    capacityShards: int(values["capacity-shards"], 8, CAPS.shards, "capacity-shards"),
    capacityBroadcasts: int(values.broadcasts, 20, CAPS.capacityBroadcasts, "broadcasts"),
    targets,
    threads: int(values.threads, 2, CAPS.threads, "threads"),
    rounds: int(values.rounds, 1, CAPS.rounds, "rounds"),
    sockets: int(values.sockets, 1000, CAPS.sockets, "sockets"),
    triggers: int(values.triggers, 200, CAPS.triggers, "triggers"),
    lanes: int(values.lanes, 4, CAPS.lanes, "lanes"),
    pacedTriggers: int(values.paced, 40, CAPS.pacedTriggers, "paced"),
    pacedRate: int(values.rate, 20, CAPS.pacedRate, "rate"),
    payloadBytes: int(values.payload, 100, CAPS.payloadBytes, "payload"),
    channels: int(values.channels, 1000, CAPS.channels, "channels"),
    pairs: int(values.pairs, 250, CAPS.pairs, "pairs"),
    clientEventRate: int(values["event-rate"], 5, CAPS.clientEventRate, "event-rate"),
    clientEventSeconds: int(values["event-seconds"], 5, CAPS.clientEventSeconds, "event-seconds"),
    presenceSockets: int(values.presence, 500, CAPS.presenceSockets, "presence"),
    floodReceivers: int(values["flood-receivers"], 200, CAPS.floodReceivers, "flood-receivers"),
    floodRates: (values["flood-rates"] ?? "100,1000,full")
      .split(",")
      .map((rate) => (rate === "full" ? null : int(rate, 0, CAPS.floodRate, "flood-rates"))),
    floodSeconds: int(values["flood-seconds"], 5, CAPS.floodSeconds, "flood-seconds"),
    wranglerDev: values["wrangler-dev"] ?? false,
    console: values.console ?? false,
    audit,
    profile: values.profile === "sower" || values.profile === "baseline" ? values.profile : undefined,
    appKey: BENCH_APP.key,
    waitTimeoutMs: int(values.wait, 60, 600, "wait") * 1000,
    deadlineAtMs: nowMs() + int(values.deadline, 900, 3600, "deadline") * 1000,
    json: values.json,
  };
}
