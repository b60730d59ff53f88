import PusherClient from "pusher-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Recovery, withHistory } from "../../client/sower-history";
import { parseHistoryJson } from "../../src/config/history";
import { snippet } from "../browser/support/snippets";
import { backend, client, connected, disconnectAfterEach, once } from "./support/clients";
import { type ServerInfo, startServer } from "./support/server";

const track = disconnectAfterEach();

/** Only channels named history-... keep history, so no other test's channels store anything. */
const HISTORY = { channels: ["history-*", "private-history-*"], max_events: 500, max_seconds: 600 };

// A server of its own, for the HISTORY setting, at the tier's shards: one Beacon in e2e, hubs in e2e-sharded.
let server: { info: ServerInfo; stop: () => Promise<void> };
beforeAll(async () => {
  server = await startServer(["--var", `HISTORY:${JSON.stringify(HISTORY)}`]);
});
afterAll(() => server?.stop());

function unique(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Resolves once `count` values have arrived, or fails after `ms`. */
function collect(values: string[], count: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (values.length >= count) resolve();
      else if (Date.now() > deadline) reject(new Error(`got ${values.length} of ${count}: ${values.join(",")}`));
      else setTimeout(check, 20);
    };
    check();
  });
}

describe("recovery with pusher-js and the history module", () => {
  it("delivers all 50 events published during a 5 s cut-off, once each and in order, between the live ones", async () => {
    const sdk = backend(server.info);
    const channel = unique("history-");
    const pusher = track(client({ server: server.info }));
    const recoveries: Recovery[] = [];
    const history = withHistory(pusher, { onRecovery: (recovery) => recoveries.push(recovery) });
    await connected(pusher);
    const received: string[] = [];
    const subscription = pusher.subscribe(channel);
    subscription.bind("note", (data: unknown) => received.push(String(data)));
    await once(subscription, "pusher:subscription_succeeded");
    for (let n = 1; n <= 3; n++) await sdk.trigger(channel, "note", `n${n}`);
    await collect(received, 3, 5000);

    const cut = Date.now();
    pusher.disconnect();
    for (let n = 4; n <= 53; n++) {
      await sdk.trigger(channel, "note", `n${n}`);
      await new Promise((resolve) => setTimeout(resolve, 5000 / 50));
    }
    expect(Date.now() - cut).toBeGreaterThanOrEqual(5000);
    pusher.connect();
    // Live events published while the client resubscribes and recovers.
    const live = (async () => {
      for (let n = 54; n <= 63; n++) await sdk.trigger(channel, "note", `n${n}`);
    })();
    await live;
    await collect(received, 63, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received).toEqual(Array.from({ length: 63 }, (_, index) => `n${index + 1}`));
    expect(recoveries).toHaveLength(1);
    expect(recoveries[0]).toMatchObject({ channel, recovered: true });
    expect(recoveries[0]?.missed).toBeGreaterThanOrEqual(50);
    expect(history.position(channel)?.serial).toBe(63);
  });

  it("tells the app recovered: false when the history it remembers is from another epoch", async () => {
    const channel = unique("history-");
    const pusher = track(client({ server: server.info }));
    const recoveries: Recovery[] = [];
    withHistory(pusher, { onRecovery: (recovery) => recoveries.push(recovery) });
    await connected(pusher);
    // What a client remembers from before the channel's history was lost.
    pusher.send_event("pusher:subscribe", { channel, resume: { epoch: "a-lost-epoch", serial: 7 } });
    await expect.poll(() => recoveries.length).toBe(1);
    expect(recoveries[0]).toMatchObject({ channel, recovered: false, missed: 0, position: { serial: 0 } });
  });

  it("leaves stock pusher-js unchanged: the serial never reaches the app", async () => {
    const channel = unique("history-");
    const pusher = track(client({ server: server.info }));
    await connected(pusher);
    const subscription = pusher.subscribe(channel);
    const succeeded = once(subscription, "pusher:subscription_succeeded");
    expect(await succeeded).toEqual({});
    const event = once<unknown>(subscription, "note");
    await backend(server.info).trigger(channel, "note", { text: "hello" });
    expect(await event).toEqual({ text: "hello" });
  });
});

describe("docs/history.md", () => {
  it("shows a configuration the server's parser takes as it reads", () => {
    const parsed = parseHistoryJson(JSON.stringify(JSON.parse(`{${snippet("history-config")}}`).history), "HISTORY");
    expect(parsed).toMatchObject({
      ok: true,
      value: { channels: ["chat-*", "private-chat-*"], maxEvents: 1000, maxSeconds: 86_400, clientEvents: false },
    });
    if (!parsed.ok) return;
    expect(parsed.value.matcher.test("chat-lobby")).toBe(true);
    expect(parsed.value.matcher.test("news")).toBe(false);
  });

  it("shows an answer of the history endpoint with the fields a real one has", async () => {
    const sdk = backend(server.info);
    const channel = unique("history-");
    await sdk.trigger(channel, "message", JSON.stringify({ text: "hi" }));
    const response = await sdk.get({ path: `/channels/${channel}/history`, params: {} });
    const real = (await response.json()) as Record<string, unknown>;
    const shown = JSON.parse(snippet("history-page")) as Record<string, unknown>;
    expect(Object.keys(real).sort()).toEqual(Object.keys(shown).sort());
    const [realEvent] = real.events as Array<Record<string, unknown>>;
    const [shownEvent] = shown.events as Array<Record<string, unknown>>;
    expect(Object.keys(realEvent ?? {}).sort()).toEqual(Object.keys(shownEvent ?? {}).sort());
  });

  it("shows client code that attaches the module to a pusher-js client", async () => {
    const code = snippet("history-client");
    const imports = code.split("\n").filter((line) => line.startsWith("import "));
    expect(imports).toEqual(['import Pusher from "pusher-js";', 'import { withHistory } from "./sower-history";']);
    const body = code
      .split("\n")
      .filter((line) => !line.startsWith("import "))
      .join("\n");
    const { host, port, key } = server.info;
    const options = { wsHost: host, wsPort: port, forceTLS: false, enabledTransports: ["ws"], cluster: "" };
    const run = new Function(
      "Pusher",
      "withHistory",
      "key",
      "options",
      "reloadChannel",
      `${body}\nreturn [pusher, history];`,
    );
    const [pusher, history] = run(PusherClient, withHistory, key, options, () => undefined) as [PusherClient, unknown];
    track(pusher);
    await connected(pusher);
    expect(history).toHaveProperty("position");
  });
});
