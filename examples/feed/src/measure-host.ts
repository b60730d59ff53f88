import { type SowerConnection, sowerFromEnv } from "../../shared/sower.ts";

export interface HostedSower {
  sower: SowerConnection;
  /** What runs it, for the report. */
  label: string;
  /** Its processes on this machine, for CPU figures (none for a remote one). */
  pids: number[];
  stop(): Promise<void>;
}

/** The Sower to measure: the one SOWER_* names, else `wrangler dev` when asked, else `hostDirect`. */
export async function hostSower(wranglerDev: boolean): Promise<HostedSower> {
  const fromEnv = sowerFromEnv();
  if (fromEnv !== undefined) {
    return { sower: fromEnv, label: `${fromEnv.host}:${fromEnv.port} (SOWER_*)`, pids: [], stop: async () => {} };
  }
  return wranglerDev ? hostWranglerDev() : hostDirect();
}

/**
 * Sower's production Worker in its own workerd, reached directly, as the
 * repository's bench hosts it. Behind `wrangler dev`'s Node proxy a stalled
 * viewer's kernel queues stayed empty (its backlog waited upstream of the
 * proxy), so the stall never reached a socket; here Sower's sends to it fill
 * the kernel's buffers and then wait in the server.
 */
export async function hostDirect(): Promise<HostedSower> {
  const { hostTarget } = await import("../../../bench/host/miniflare.ts");
  const { BENCH_APP } = await import("../../../bench/load/app.ts");
  const target = await hostTarget("sower");
  const origin = new URL(target.origin);
  return {
    sower: {
      host: origin.hostname,
      port: Number(origin.port),
      useTLS: false,
      appId: BENCH_APP.id,
      key: BENCH_APP.key,
      secret: BENCH_APP.secret,
    },
    label: "workerd, direct (as npm run bench hosts it)",
    pids: [...target.pids],
    stop: () => target.close(),
  };
}

async function hostWranglerDev(): Promise<HostedSower> {
  const { descendants } = await import("../../../bench/host/proc.ts");
  const { startServer } = await import("../../../test/e2e/support/server.ts");
  const local = await startServer();
  const pid = local.child.pid;
  return {
    sower: { ...local.info, useTLS: false },
    label: "wrangler dev",
    pids: pid === undefined ? [] : [pid, ...descendants(pid)],
    stop: local.stop,
  };
}
