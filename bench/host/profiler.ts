import { writeFileSync } from "node:fs";
import WebSocket from "ws";
import type { Target } from "./miniflare.ts";

/** What V8's Profiler.stop returns, reduced to what the summary reads. */
interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }>;
  samples: number[];
  timeDeltas: number[];
}

/**
 * A V8 CPU profile of a target's Worker through workerd's inspector
 * (`--profile`), so hot-path work is chosen from evidence. Profiling slows
 * the server: figures from a profiled run are not comparable.
 */
export class Profiler {
  private nextId = 1;
  private readonly waiting = new Map<number, (result: unknown) => void>();
  private readonly socket: WebSocket;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on("message", (data: Buffer) => {
      const reply = JSON.parse(data.toString()) as { id?: number; result?: unknown };
      if (reply.id === undefined) return;
      this.waiting.get(reply.id)?.(reply.result);
      this.waiting.delete(reply.id);
    });
  }

  /** Attaches to the first Worker the inspector at `inspectorUrl` lists whose title contains `name`. */
  static async attach(inspectorUrl: URL, name: string): Promise<Profiler> {
    const http = `http://${inspectorUrl.host}/json`;
    const targets = (await (await fetch(http)).json()) as Array<{ title: string; webSocketDebuggerUrl: string }>;
    const target = targets.find((entry) => entry.title.includes(name)) ?? targets[0];
    if (target === undefined) throw new Error(`no inspector target at ${http}`);
    const socket = new WebSocket(target.webSocketDebuggerUrl);
    await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
    const profiler = new Profiler(socket);
    await profiler.call("Profiler.enable");
    await profiler.call("Profiler.setSamplingInterval", { interval: 200 });
    return profiler;
  }

  private call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  start(): Promise<unknown> {
    return this.call("Profiler.start");
  }

  /** Stops, writes the .cpuprofile (open it in Chrome DevTools) and returns the top functions by self time. */
  async stop(path: string, top = 25): Promise<string> {
    const { profile } = (await this.call("Profiler.stop")) as { profile: CpuProfile };
    writeFileSync(path, JSON.stringify(profile));
    this.socket.close();
    return summarise(profile, top);
  }
}

/** A started profile of `target`'s Worker, or none when it was hosted without an inspector. */
export async function profileIfInspected(target: Pick<Target, "name" | "inspectorUrl">): Promise<Profiler | undefined> {
  if (target.inspectorUrl === undefined) return undefined;
  const profiler = await Profiler.attach(target.inspectorUrl, target.name);
  await profiler.start();
  return profiler;
}

function summarise(profile: CpuProfile, top: number): string {
  const selfTime = new Map<number, number>();
  profile.samples.forEach((node, index) => {
    selfTime.set(node, (selfTime.get(node) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const micros = selfTime.get(node.id) ?? 0;
    total += micros;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.split("/").pop() ?? "";
    const key = `${functionName || "(anonymous)"} ${file}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
  }
  return [...byFunction]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, micros]) => `${((micros / total) * 100).toFixed(1).padStart(5)}%  ${key}`)
    .join("\n");
}
