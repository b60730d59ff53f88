// `npm run example:rooms`: Sower (the repository's `npm start`, with the
// webhooks this example needs) and the rooms backend, both with `wrangler dev`.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sowerWebhooks } from "../sower-webhooks.ts";

const ROOT = join(import.meta.dirname, "../../..");
const EXAMPLE = join(import.meta.dirname, "..");
const sowerPort = process.env.PORT ?? "8787";
const roomsPort = process.env.ROOMS_PORT ?? "8788";
const origin = `http://127.0.0.1:${roomsPort}`;
const children: ChildProcess[] = [];

function run(command: string, args: string[], env: Record<string, string> = {}): void {
  const child = spawn(command, args, {
    cwd: ROOT,
    stdio: "inherit",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", ...env },
  });
  // One stopping stops the other: the example needs both.
  child.on("exit", (code) => {
    stopAll("SIGTERM");
    process.exit(code ?? 0);
  });
  children.push(child);
}

async function ready(url: string): Promise<void> {
  for (let attempt = 0; attempt < 240; attempt++) {
    const ok = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not answer within a minute`);
}

/** The root's `.dev.vars` value of `name` (`npm start` creates the file with a random APP_SECRET). */
function devVar(file: string, name: string): string | undefined {
  if (!existsSync(file)) return undefined;
  return new RegExp(`^${name}=(.*)$`, "m").exec(readFileSync(file, "utf8"))?.[1]?.trim();
}

function stopAll(signal: NodeJS.Signals): void {
  for (const child of children) if (child.exitCode === null) child.kill(signal);
}

for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => stopAll(signal));

run(process.execPath, ["scripts/dev.mjs", "--var", `WEBHOOKS:${JSON.stringify(sowerWebhooks(origin))}`], {
  PORT: sowerPort,
});
await ready(`http://127.0.0.1:${sowerPort}/health`);

// The backend's secrets live in its own git-ignored .dev.vars, never on a command line.
const roomsVars = join(EXAMPLE, ".dev.vars");
const adminPassword = devVar(roomsVars, "ADMIN_PASSWORD") ?? randomBytes(12).toString("hex");
writeFileSync(
  roomsVars,
  `PUSHER_SECRET=${devVar(join(ROOT, ".dev.vars"), "APP_SECRET") ?? ""}\nADMIN_PASSWORD=${adminPassword}\n`,
  { mode: 0o600 },
);
run("wrangler", [
  "dev",
  "--config",
  join(EXAMPLE, "wrangler.jsonc"),
  "--ip",
  "127.0.0.1",
  "--port",
  roomsPort,
  "--inspector-port",
  "0",
  "--show-interactive-dev-session=false",
  "--var",
  `PUSHER_PORT:${sowerPort}`,
]);
await ready(`${origin}/health`);
console.log(`
Rooms example
  Open ${origin} in two or more browser windows and join the same room.
  Admin password: ${adminPassword}   (from examples/rooms/.dev.vars)
  Sower: 127.0.0.1:${sowerPort}, sending member_removed, client_event and cache_miss webhooks to ${origin}/pusher/webhooks
`);
