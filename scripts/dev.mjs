// `npm start`: runs Sower locally with `wrangler dev`, creating .dev.vars with a
// fresh secret and dashboard token on first run and printing what a client needs
// to connect and where the dashboard is.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";

const VARS = ".dev.vars";
const PLACEHOLDER = "change-me";

if (!existsSync(VARS)) {
  const example = readFileSync(".dev.vars.example", "utf8");
  writeFileSync(VARS, example.replace(PLACEHOLDER, randomBytes(24).toString("hex")), { mode: 0o600 });
  console.log(`Created ${VARS} with a new random APP_SECRET.`);
}

// Added to a .dev.vars made before the dashboard existed, too.
if (!/^DASHBOARD_TOKEN=/m.test(readFileSync(VARS, "utf8"))) {
  appendFileSync(VARS, `\nDASHBOARD_TOKEN=${randomBytes(32).toString("hex")}\n`);
  console.log(`Added a random DASHBOARD_TOKEN to ${VARS}.`);
}

const vars = readFileSync(VARS, "utf8");
const secret = /^APP_SECRET=(.*)$/m.exec(vars)?.[1]?.trim() ?? "";
const dashboardToken = /^DASHBOARD_TOKEN=(.*)$/m.exec(vars)?.[1]?.trim() ?? "";
const config = readFileSync("wrangler.jsonc", "utf8");
const appId = /"APP_ID":\s*"([^"]*)"/.exec(config)?.[1] ?? "sower";
const appKey = /"APP_KEY":\s*"([^"]*)"/.exec(config)?.[1] ?? "sower-key";
const port = process.env.PORT ?? "8787";

console.log(`
Sower dev server
  WebSocket  ws://127.0.0.1:${port}/app/${appKey}?protocol=7
  REST       http://127.0.0.1:${port}/apps/${appId}/...
  app_id     ${appId}
  key        ${appKey}
  secret     ${secret}   (from ${VARS}; never commit it)
  Dashboard  http://localhost:${port}/dashboard
  token      ${dashboardToken}   (log in with it there; from ${VARS})

pusher-js: new Pusher("${appKey}", { wsHost: "127.0.0.1", wsPort: ${port}, forceTLS: false, enabledTransports: ["ws"], cluster: "" })
`);

// The audit log's local database (docs/audit.md): created and brought up to date before every start,
// in the state folder wrangler dev will use (a --persist-to given to npm start is passed on).
const args = process.argv.slice(2);
const persistAt = args.indexOf("--persist-to");
const persist = persistAt === -1 ? [] : args.slice(persistAt, persistAt + 2);
const migrated = spawnSync("wrangler", ["d1", "migrations", "apply", "AUDIT_DB", "--local", ...persist], {
  stdio: "inherit",
  env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" },
});
if (migrated.status !== 0) {
  console.error("Could not migrate the local audit database (wrangler d1 migrations apply AUDIT_DB --local).");
  process.exit(migrated.status ?? 1);
}

const wrangler = spawn("wrangler", ["dev", "--ip", "127.0.0.1", "--port", port, ...args], {
  stdio: "inherit",
  env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
});
wrangler.on("exit", (code) => process.exit(code ?? 0));
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => wrangler.kill(signal));
