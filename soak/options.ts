import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

export const PHASES = ["frames", "requests", "runtime", "hibernation", "outage", "storm"] as const;
export type Phase = (typeof PHASES)[number];

export interface SoakOptions {
  phases: Phase[];
  seed: number;
  honestSockets: number;
  hostileSockets: number;
  /** Of the hostile sockets, those that ignore the flood ceiling. */
  flooders: number;
  /** The hostile frames stop at this many frames or seconds, whichever comes first. */
  hostileFrames: number;
  hostileSeconds: number;
  requestLanes: number;
  requestSeconds: number;
  cycles: number;
  outageChannels: number;
  /** Half answering 500, half hanging. */
  outageSeconds: number;
  stormSockets: number;
  /** The whole run stops here, whatever is left, and reports what it has. */
  deadlineSeconds: number;
  out: string;
  /** Sockets the storm was asked for but the file-descriptor limit did not allow. */
  stormCappedFrom: number | undefined;
}

const USAGE = `npm run soak -- [flags]

  --long                 the long campaign: defaults below become those in brackets
  --phases=a,b           ${PHASES.join(",")} (default: all, in this order)
  --seed=N               seed of the hostile frames and requests (default: random, printed)
  --honest=N             honest sockets, two per presence user (default 20)
  --hostile=N            hostile sockets (default 40)
  --flooders=N           of those, sockets sending as fast as they can, closed by the flood policy (default 4)
  --frames=N             hostile frames at most (default 1,000,000)
  --hostile-seconds=S    hostile frames for at most S seconds (default 30) [300]
  --request-lanes=N      hostile requests in flight (default 8)
  --request-seconds=S    hostile requests for S seconds (default 15) [120]
  --cycles=N             hibernation cycles (default 3) [12]
  --outage-channels=N    channels occupied and vacated during the webhook outage, two events each (default 1,500) [4,700]
  --outage-seconds=S     webhook outage: half answering 500, half hanging (default 20) [120]
  --storm=N              sockets in the reconnect storm (default 8,000; capped by the open-file limit)
  --deadline=S           stop the whole run after S seconds (default 900) [3,600]
  --out=PATH             also write the summary here (default: a file in ${tmpdir()})`;

const CAPS = {
  honest: 200,
  hostile: 500,
  frames: 100_000_000,
  hostileSeconds: 7200,
  requestLanes: 64,
  requestSeconds: 7200,
  cycles: 200,
  // The outbox keeps 10,000 events per endpoint (docs/protocol.md §13.6); more would test dropping, not recovery.
  // The honest client events (about 3 a second of outage) share the backlog, hence the long run's 4,700.
  outageChannels: 4_950,
  outageSeconds: 3600,
  storm: 15_000,
  deadline: 4 * 3600,
} as const;

export function parseOptions(argv: string[]): SoakOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      long: { type: "boolean" },
      phases: { type: "string" },
      seed: { type: "string" },
      honest: { type: "string" },
      hostile: { type: "string" },
      flooders: { type: "string" },
      frames: { type: "string" },
      "hostile-seconds": { type: "string" },
      "request-lanes": { type: "string" },
      "request-seconds": { type: "string" },
      cycles: { type: "string" },
      "outage-channels": { type: "string" },
      "outage-seconds": { type: "string" },
      storm: { type: "string" },
      deadline: { type: "string" },
      out: { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const long = values.long ?? false;
  const int = (value: string | undefined, short: number, longer: number, cap: number, name: string): number => {
    const parsed = value === undefined ? (long ? longer : short) : Number(value);
    if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`--${name} must be a positive integer`);
    return Math.min(parsed, cap);
  };
  const phases = (values.phases?.split(",") ?? [...PHASES]).map((name) => {
    const known = PHASES.find((phase) => phase === name);
    if (known === undefined) throw new Error(`unknown phase '${name}': ${PHASES.join(", ")}`);
    return known;
  });
  const hostileSockets = int(values.hostile, 40, 40, CAPS.hostile, "hostile");
  const requested = int(values.storm, 8000, 8000, CAPS.storm, "storm");
  const allowed = socketsTheLimitAllows();
  const started = new Date().toISOString().replace(/[:.]/g, "-");
  return {
    phases: PHASES.filter((phase) => phases.includes(phase)),
    seed: values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : int(values.seed, 1, 1, 2 ** 31, "seed"),
    honestSockets: 2 * Math.ceil(int(values.honest, 20, 20, CAPS.honest, "honest") / 2),
    hostileSockets,
    flooders:
      values.flooders === "0" ? 0 : Math.min(hostileSockets, int(values.flooders, 4, 4, CAPS.hostile, "flooders")),
    hostileFrames: int(values.frames, 1_000_000, 100_000_000, CAPS.frames, "frames"),
    hostileSeconds: int(values["hostile-seconds"], 30, 300, CAPS.hostileSeconds, "hostile-seconds"),
    requestLanes: int(values["request-lanes"], 8, 8, CAPS.requestLanes, "request-lanes"),
    requestSeconds: int(values["request-seconds"], 15, 120, CAPS.requestSeconds, "request-seconds"),
    cycles: int(values.cycles, 3, 12, CAPS.cycles, "cycles"),
    outageChannels: int(values["outage-channels"], 1500, 4700, CAPS.outageChannels, "outage-channels"),
    outageSeconds: int(values["outage-seconds"], 20, 120, CAPS.outageSeconds, "outage-seconds"),
    stormSockets: Math.min(requested, allowed),
    deadlineSeconds: int(values.deadline, 900, 3600, CAPS.deadline, "deadline"),
    out: values.out ?? join(tmpdir(), `sower-soak-${started}.md`),
    stormCappedFrom: requested > allowed ? requested : undefined,
  };
}

/**
 * workerd holds about two file descriptors per socket and this process one;
 * both live under this process's open-file limit (`npm run soak` raises the
 * soft limit to the hard one first). A margin is left for everything else.
 */
function socketsTheLimitAllows(): number {
  const limits = readFileSync("/proc/self/limits", "utf8");
  const soft = Number(/^Max open files\s+(\d+)/m.exec(limits)?.[1] ?? 1024);
  return Math.max(100, Math.floor((soft - 2000) / 2));
}
