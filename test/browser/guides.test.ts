import { readdirSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import type PusherClient from "pusher-js";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { AUDIT_SETTINGS } from "../../src/config/audit";
import { APP_SETTINGS, loadApps } from "../../src/config/registry";
import { DASHBOARD_SETTINGS } from "../../src/dashboard/settings";
import { backend, client, connected, once, uniqueName } from "../e2e/support/clients";
import { AppServer } from "./support/app-server";
import { launchChromium, Tab } from "./support/browser";
import { GUIDE_PORT } from "./support/laravel";
import { SnippetFolder } from "./support/node-snippets";
import { codeBlocks, DOCS, parseDotenv, snippet } from "./support/snippets";

/**
 * Runs every snippet of the pusher-js, Node.js, configuration and deploy
 * guides against the test server (the Laravel guide's run in
 * laravel-echo.test.ts). Snippets are taken as written; the only edits are the
 * port (the guides use `npm start`'s 8787) and channel names (made unique).
 */
const TESTS = join(import.meta.dirname, "..");
const PROJECT = join(TESTS, "..");
const read = (path: string) => readFileSync(join(PROJECT, path), "utf8");
const packageJson: { scripts: Record<string, string>; devDependencies: Record<string, string> } & {
  cloudflare?: { bindings?: Record<string, { description?: string }> };
} = JSON.parse(read("package.json"));

let browser: Browser;
let app: AppServer;
let folder: SnippetFolder;
const tabs: Tab[] = [];
const clients: PusherClient[] = [];
const savedSecret = process.env.PUSHER_APP_SECRET;

beforeAll(async () => {
  const server = inject("sower");
  process.env.PUSHER_APP_SECRET = server.secret;
  folder = new SnippetFolder();
  folder.write("pusher.js", snippet("node-client", { '"8787"': JSON.stringify(String(server.port)) }));
  // The Node guide's auth endpoint is the one the pusher-js pages below call.
  const { pusherAuth, pusherUserAuth } = await folder.run("auth.js", snippet("node-auth"));
  browser = await launchChromium();
  app = await AppServer.start({
    sdk: backend(),
    routes: { "/pusher/auth": handler(pusherAuth), "/pusher/user-auth": handler(pusherUserAuth) },
  });
});
afterAll(async () => {
  process.env.PUSHER_APP_SECRET = savedSecret;
  folder?.remove();
  await Promise.all([browser?.close(), app?.close()]);
});
afterEach(async () => {
  for (const pusher of clients.splice(0)) pusher.disconnect();
  await Promise.all(tabs.splice(0).map((tab) => tab.close()));
});

/** A request handler exported by a guide snippet. */
function handler(exported: unknown): (request: IncomingMessage, response: ServerResponse) => unknown {
  if (typeof exported !== "function") throw new Error("the auth snippet no longer exports its handlers");
  return (request, response) => exported(request, response);
}

/** A tab that runs the pusher-js guide's connection snippet followed by `code`, in one script. */
async function pusherTab(...code: string[]): Promise<Tab> {
  const tab = await Tab.open(browser, app.origin);
  tabs.push(tab);
  const connect = snippet("pusher-js-connect", { [`wsPort: ${GUIDE_PORT}`]: `wsPort: ${inject("sower").port}` });
  // The guide's `const pusher` is module-scoped; the test reads its state through window.
  await tab.run([connect, ...code, "window.pusher = pusher;"].join("\n"));
  return tab;
}

function logged(label: string): (data: unknown) => boolean {
  return (data) => Array.isArray(data) && data[0] === label;
}

async function listening(channelName: string): Promise<PusherClient> {
  const pusher = client();
  clients.push(pusher);
  await connected(pusher);
  const channel = pusher.subscribe(channelName);
  await once(channel, "pusher:subscription_succeeded");
  return pusher;
}

describe("every code block in docs/ is a named snippet that a test runs", () => {
  const blocks = codeBlocks();

  it("names each block once", () => {
    expect(blocks.length).toBeGreaterThan(0);
    expect(blocks.filter((block) => block.name === undefined)).toEqual([]);
    const names = blocks.map((block) => block.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it("has a test for each snippet", () => {
    const tests = readdirSync(TESTS, { recursive: true, encoding: "utf8" })
      .filter((file) => file.endsWith(".ts"))
      .map((file) => readFileSync(join(TESTS, file), "utf8"))
      .join("\n");
    // Shell blocks are all checked line by line by the next test.
    const untested = blocks
      .filter((block) => block.lang !== "sh" && !tests.includes(`"${block.name}"`))
      .map((block) => block.name);
    expect(untested).toEqual([]);
  });

  it("lists only commands whose parts exist in this project", () => {
    const secrets = documentedSettings()
      .filter((setting) => setting.kind === "secret")
      .map((setting) => setting.name);
    for (const block of blocks.filter((candidate) => candidate.lang === "sh")) {
      for (const line of block.code.split("\n").filter((text) => text.trim() !== "")) {
        const install = /^npm install((?: [\w@/.-]+)*)$/.exec(line);
        const script = /^npm run (\S+)$/.exec(line);
        const secret = /^npx wrangler secret put (\S+)$/.exec(line);
        const database = /^npx wrangler d1 execute (\S+) /.exec(line);
        if (install) {
          for (const name of (install[1] ?? "").trim().split(" ").filter(Boolean)) {
            expect(packageJson.devDependencies, `${block.name}: ${name}`).toHaveProperty([name]);
          }
        } else if (script?.[1] !== undefined) {
          expect(packageJson.scripts, `${block.name}: ${line}`).toHaveProperty([script[1]]);
        } else if (secret?.[1] !== undefined) {
          expect(secrets, `${block.name}: ${line}`).toContain(secret[1]);
        } else if (database?.[1] !== undefined) {
          expect(auditDatabaseName(), `${block.name}: ${line}`).toBe(database[1]);
        } else if (/^npx wrangler (login|deploy)$/.test(line) || /^curl \S+\/health$/.test(line)) {
          expect(packageJson.devDependencies).toHaveProperty(["wrangler"]);
        } else {
          throw new Error(`${block.name}: no check for the command \`${line}\`; add one here`);
        }
      }
    }
  });
});

describe("docs/node.md", () => {
  it("triggers an event that a subscribed client receives exactly", async () => {
    const orders = uniqueName("orders-");
    const channel = (await listening(orders)).channel(orders);
    const received = once(channel, "order-shipped");
    await folder.run("trigger.js", snippet("node-trigger", { '"orders"': JSON.stringify(orders) }));
    expect(await received).toEqual({ id: 42, status: "shipped" });
  });

  it("triggers a batch whose events arrive in order", async () => {
    const orders = uniqueName("orders-");
    const channel = (await listening(orders)).channel(orders);
    const seen: Array<[string, unknown]> = [];
    const done = new Promise<void>((resolve) =>
      channel.bind_global((event: string, data: unknown) => {
        if (event.startsWith("pusher")) return;
        seen.push([event, data]);
        if (seen.length === 2) resolve();
      }),
    );
    await folder.run("batch.js", snippet("node-batch", { '"orders"': JSON.stringify(orders) }));
    await done;
    expect(seen).toEqual([
      ["order-packed", { id: 42 }],
      ["order-shipped", { id: 42, carrier: "post" }],
    ]);
  });
});

describe("docs/pusher-js.md, with docs/node.md's auth endpoint", () => {
  it("receives events on a public channel", async () => {
    const orders = uniqueName("orders-");
    const tab = await pusherTab(
      snippet("pusher-js-public", { '"orders"': JSON.stringify(orders) }),
      `orders.bind("pusher:subscription_succeeded", () => report("subscribed", true));`,
    );
    await tab.next("subscribed");
    await backend().trigger(orders, "order-shipped", { id: 42, status: "shipped" });
    expect(await tab.next("console", logged("shipped"))).toEqual(["shipped", { id: 42, status: "shipped" }]);
  });

  it("sends client events on a private channel to the other subscribers", async () => {
    const chat = uniqueName("private-chat-");
    const code = [
      snippet("pusher-js-private", { '"private-chat"': JSON.stringify(chat) }),
      `chat.bind("pusher:subscription_succeeded", () => report("subscribed", true));`,
    ];
    const first = await pusherTab(...code);
    await first.next("subscribed");
    const second = await pusherTab(...code);
    await second.next("subscribed");
    expect(await first.next("console", logged("typing"))).toEqual(["typing", "Alice"]);
  });

  it("joins a presence channel, and the Node guide's channel query counts the user", async () => {
    const room = uniqueName("presence-room-");
    const tab = await pusherTab(snippet("pusher-js-presence", { '"presence-room"': JSON.stringify(room) }));
    expect(await tab.next("console", logged("here"))).toEqual(["here", 1, "alice"]);

    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    try {
      await folder.run(
        "channel-info.js",
        snippet("node-channel-info", { '"/channels/presence-room"': `"/channels/${room}"` }),
      );
      expect(log).toHaveBeenCalledWith({ occupied: true, user_count: 1 });
    } finally {
      log.mockRestore();
    }
  });
});

describe("signing in: docs/pusher-js.md in the page, docs/node.md on the backend", () => {
  it("reaches the signed-in user, then disconnects them for good", async () => {
    const tab = await pusherTab(snippet("pusher-js-signin"));
    // pusher-js subscribes to the user's own channel once signed in; its flag is the only sign of that.
    await tab.page.waitForFunction("window.pusher?.user.serverToUserChannel?.subscribed === true", undefined, {
      timeout: 10_000,
    });
    await folder.run("send-to-user.js", snippet("node-send-to-user"));
    expect(await tab.next("console", logged("for me"))).toEqual(["for me", { id: 42, pickup: "desk 3" }]);

    await folder.run("terminate.js", snippet("node-terminate"));
    await tab.page.waitForFunction("window.pusher.connection.state === 'disconnected'", undefined, { timeout: 10_000 });
  });
});

interface Setting {
  name: string;
  kind: string;
  defaultValue: string;
}

/** The rows of the settings table in docs/configuration.md. */
function documentedSettings(): Setting[] {
  const doc = readFileSync(join(DOCS, "configuration.md"), "utf8");
  const table = doc.slice(doc.indexOf("## Settings"), doc.indexOf("The `vars` block"));
  return [...table.matchAll(/^\| `([A-Z_]+)` +\| (\w+) +\| (`[^`]*`|none) +\|/gm)].map((row) => ({
    name: row[1] ?? "",
    kind: row[2] ?? "",
    defaultValue: (row[3] ?? "").replaceAll("`", ""),
  }));
}

/** Every variable the Worker reads: the apps' settings, the metrics scrape token, the dashboard's and the audit log's. */
function settingsInCode(): string[] {
  const metrics = /export interface MetricsEnv \{([^}]*)\}/.exec(read("src/metrics/token.ts"))?.[1] ?? "";
  return [
    ...APP_SETTINGS,
    ...[...metrics.matchAll(/readonly (\w+)\?:/g)].map((match) => match[1] ?? ""),
    ...DASHBOARD_SETTINGS,
    ...AUDIT_SETTINGS,
  ];
}

/** The audit log's database as wrangler.jsonc names it (docs/audit.md). */
function auditDatabaseName(): unknown {
  const config: { d1_databases?: Array<{ database_name?: unknown }> } = JSON.parse(
    read("wrangler.jsonc").replace(/^\s*\/\/.*$/gm, ""),
  );
  return config.d1_databases?.[0]?.database_name;
}

function wranglerVars(): Record<string, unknown> {
  const jsonc = read("wrangler.jsonc").replace(/^\s*\/\/.*$/gm, "");
  const config: { vars?: Record<string, unknown> } = JSON.parse(jsonc);
  return config.vars ?? {};
}

describe("docs/configuration.md", () => {
  it("documents exactly the settings the server reads", () => {
    expect(
      documentedSettings()
        .map((setting) => setting.name)
        .sort(),
    ).toEqual(settingsInCode().sort());
  });

  it("shows the vars block as shipped in wrangler.jsonc, with the documented defaults", () => {
    const shown: { vars: Record<string, string> } = JSON.parse(`{${snippet("config-vars")}}`);
    expect(shown.vars).toEqual(wranglerVars());
    for (const setting of documentedSettings().filter((candidate) => candidate.kind === "var")) {
      // A setting without a default is left out of the shipped vars.
      const shipped = setting.defaultValue === "none" ? undefined : setting.defaultValue;
      expect(shown.vars[setting.name], setting.name).toBe(shipped);
    }
  });

  it("shows a .dev.vars of documented secrets that the server starts with", () => {
    const devVars = parseDotenv(snippet("config-dev-vars"));
    const secrets = documentedSettings().filter((setting) => setting.kind === "secret");
    expect(secrets.map((setting) => setting.name)).toEqual(expect.arrayContaining(Object.keys(devVars)));
    expect(loadApps({ ...wranglerVars(), ...devVars }).ok).toBe(true);
  });
});

describe("docs/deploy.md and the Deploy to Cloudflare button", () => {
  const button =
    "[![Deploy to Cloudflare](https://deploy.workers.cloudflare.com/button)](https://deploy.workers.cloudflare.com/?url=<your fork's URL>)";

  it("puts the button in the README and the deploy guide, with the fork URL to fill in", () => {
    expect(read("README.md")).toContain(button);
    expect(read("docs/deploy.md")).toContain(button);
  });

  it("has the button ask for documented secrets, described, with placeholders the server refuses", () => {
    // The button asks for every entry of .dev.vars.example, pre-filled with its example value.
    const example = parseDotenv(read(".dev.vars.example"));
    const secrets = documentedSettings().filter((setting) => setting.kind === "secret");
    expect(Object.keys(example)).toContain("APP_SECRET");
    expect(secrets.map((setting) => setting.name)).toEqual(expect.arrayContaining(Object.keys(example)));
    for (const name of Object.keys(example)) {
      expect(packageJson.cloudflare?.bindings?.[name]?.description, name).toEqual(expect.any(String));
    }
    const deployedAsIs = loadApps({ ...wranglerVars(), ...example });
    expect(deployedAsIs.ok).toBe(false);
  });

  it("deploys with the project's own deploy script", () => {
    expect(snippet("deploy-cli")).toContain("npm run deploy");
    expect(packageJson.scripts.deploy).toBe("wrangler deploy");
  });

  it("checks the deployment at /health as the guide says", async () => {
    const { host, port } = inject("sower");
    const command = snippet("deploy-health", {
      "https://sower.<your-subdomain>.workers.dev": `http://${host}:${port}`,
    });
    const url = /^curl (\S+)$/m.exec(command)?.[1];
    expect(url).toBeDefined();
    const response = await fetch(url ?? "");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", apps: 1 });
  });
});
