import { runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CONSOLE_TAG, ConsoleFeed } from "../../src/beacon/state/console-feed";
import { appTrigger } from "./support/app-rest";
import { connectApp } from "./support/app-sockets";
import { APP_A, DEFAULT_APP, SHARDED_APP, SHARDED_HISTORY_APP } from "./support/apps";
import { clientEvent, subscribe, unique } from "./support/channels";
import { ConsoleClient, type EventOf, openConsoleSocket } from "./support/console";
import { DASHBOARD_TOKEN, json, logIn } from "./support/dashboard";
import { hibernateApp, socketHolders } from "./support/objects";
import { trigger } from "./support/rest";
import { connectIn, subscribeIn } from "./support/shards";
import { connect } from "./support/socket";
import { ALL_EVENTS_URL, poll, settled, WebhookRecorder } from "./support/webhooks";

const app = DEFAULT_APP.id;
const consoles: ConsoleClient[] = [];

async function openConsole(cookie?: string): Promise<ConsoleClient> {
  const opened = await ConsoleClient.open(cookie ?? (await logIn({ token: DASHBOARD_TOKEN })), app);
  consoles.push(opened);
  return opened;
}

/** Consoles open on the app's objects, as the objects count them. */
async function openConsoles(): Promise<number> {
  let open = 0;
  for (const stub of socketHolders(app)) {
    open += await runInDurableObject(stub, (_instance, state) => state.getWebSockets(CONSOLE_TAG).length);
  }
  return open;
}

afterEach(async () => {
  for (const each of consoles.splice(0)) each.close();
  await poll(4000, "every console to close", async () => ((await openConsoles()) === 0 ? true : undefined));
  vi.restoreAllMocks();
});

describe("the console socket's authorisation", () => {
  it("needs a session, and a tenant's session opens its own app only", async () => {
    expect((await openConsoleSocket(app, {})).status).toBe(401);
    const tenant = await logIn({ key: APP_A.key, secret: APP_A.secret });
    const other = await openConsoleSocket(app, { cookie: tenant });
    expect(other.status).toBe(403);
    expect(await json(other)).toEqual({ error: expect.stringContaining("opens one app only") });
    const own = await openConsoleSocket(APP_A.id, { cookie: tenant });
    expect(own.status).toBe(101);
    own.webSocket?.accept();
    own.webSocket?.close(1000);
  });

  it("refuses a page of another origin, and a handshake that names none", async () => {
    const cookie = await logIn({ token: DASHBOARD_TOKEN });
    const refusals: Array<Record<string, string>> = [
      { Origin: "https://evil.example" },
      { Origin: "" },
      { "Sec-Fetch-Site": "cross-site" },
      { "Sec-Fetch-Site": "same-site", Origin: "http://sub.sower.test" },
    ];
    for (const headers of refusals) {
      const response = await openConsoleSocket(app, { cookie, headers });
      expect({ headers, status: response.status }).toEqual({ headers, status: 403 });
      expect(response.webSocket).toBeNull();
    }
    expect(await openConsoles()).toBe(0);
  });

  it("refuses a shard the app does not have", async () => {
    const cookie = await logIn({ token: DASHBOARD_TOKEN });
    for (const query of ["?shard=99", "?shard=-1", "?shard=1.5", "?shard=x"]) {
      const response = await openConsoleSocket(app, { cookie, query });
      expect(response.status).toBe(400);
      expect(await json(response)).toEqual({ error: expect.stringContaining("shard must be a whole number") });
    }
  });
});

describe("the console's events", () => {
  it("does no console work while no console is open", async () => {
    const emit = vi.spyOn(ConsoleFeed.prototype, "emit");
    const socket = await connect();
    const channel = unique("quiet-");
    await subscribe(socket, channel);
    expect((await trigger(channel, "news", "{}")).status).toBe(200);
    await socket.nextEvent("news");
    socket.ws.close(1000);
    expect(await openConsoles()).toBe(0);
    expect(emit).not.toHaveBeenCalled();
  });

  it("shows a connection, its subscriptions, API and client events, and its close, never a signature", async () => {
    const view = await openConsole();
    expect(await openConsoles()).toBeGreaterThan(0);
    const socket = await connectApp(DEFAULT_APP.key, { Origin: "https://shop.example" });
    const channel = unique("private-console-");
    await subscribe(socket, channel);
    expect((await trigger(channel, "order-placed", '{"total":12}')).status).toBe(200);
    socket.send(clientEvent(channel, "client-typing", { who: "ada" }));
    socket.send({ event: "pusher:unsubscribe", data: { channel } });

    expect(await view.waitFor("connected", (event) => event.socket === socket.socketId)).toMatchObject({
      origin: "https://shop.example",
    });
    await view.waitFor("subscribed", (event) => event.socket === socket.socketId && event.channel === channel);
    expect(await view.waitFor("api_event", (event) => event.channels.includes(channel))).toMatchObject({
      event: "order-placed",
      channels: [channel],
      bytes: 12,
    });
    expect(await view.waitFor("client_event", (event) => event.channel === channel)).toMatchObject({
      socket: socket.socketId,
      event: "client-typing",
      bytes: '{"who":"ada"}'.length,
    });
    await view.waitFor("unsubscribed", (event) => event.socket === socket.socketId);
    socket.ws.close(4000, "done");
    expect(await view.waitFor("closed", (event) => event.socket === socket.socketId)).toMatchObject({ code: 4000 });

    const everything = view.texts.join("\n");
    for (const secret of [DEFAULT_APP.secret, "total", "ada"]) expect(everything).not.toContain(secret);
    expect(everything).not.toMatch(/[0-9a-f]{64}/);
  });

  it("shows presence members as they are added and removed, and refusals", async () => {
    const view = await openConsole();
    const channel = unique("presence-console-");
    const [ada, bob] = [await connect(), await connect()];
    await subscribe(ada, channel, { user_id: "ada", user_info: { name: "Ada" } });
    await subscribe(bob, channel, { user_id: "bob" });
    await view.waitFor("member_added", (event) => event.channel === channel && event.user === "ada");
    await view.waitFor("member_added", (event) => event.channel === channel && event.user === "bob");
    bob.ws.close(1000);
    await view.waitFor("member_removed", (event) => event.channel === channel && event.user === "bob");

    ada.send({ event: "pusher:subscribe", data: { channel: unique("private-forged-"), auth: "sower-key:forged" } });
    expect(await view.waitFor("refused", (event) => event.socket === ada.socketId)).toMatchObject({
      message: "AuthError (401)",
    });
    expect(view.texts.join("\n")).not.toContain('forged"');
    ada.ws.close(1000);
  });

  it("keeps streaming after the app's objects hibernate", async () => {
    const view = await openConsole();
    await hibernateApp(app);
    expect(await openConsoles()).toBe(socketHolders(app).length);
    const socket = await connect();
    await view.waitFor("connected", (event) => event.socket === socket.socketId);
    const channel = unique("after-sleep-");
    await subscribe(socket, channel);
    expect((await trigger(channel, "woke", "{}")).status).toBe(200);
    await view.waitFor("api_event", (event) => event.channels.includes(channel));
    socket.ws.close(1000);
  });

  it("stops when the console closes", async () => {
    const emit = vi.spyOn(ConsoleFeed.prototype, "emit");
    const view = await openConsole();
    const first = await connect();
    await view.waitFor("connected", (event) => event.socket === first.socketId);
    expect(emit).toHaveBeenCalled();
    first.ws.close(1000);
    await view.waitFor("closed", (event) => event.socket === first.socketId);

    view.close();
    await poll(4000, "the console to close", async () => ((await openConsoles()) === 0 ? true : undefined));
    emit.mockClear();
    const second = await connect();
    second.ws.close(1000);
    expect((await trigger(unique("after-close-"), "ignored", "{}")).status).toBe(200);
    expect(emit).not.toHaveBeenCalled();
  });

  it("shows webhook requests with their types, outcome and attempt, never their URL", async () => {
    const recorder = new WebhookRecorder();
    const restore = recorder.install();
    const view = await openConsole();
    const channel = `${unique("console-hooks-")}-wh`;
    recorder.answerNext(ALL_EVENTS_URL, channel, "fail");
    const socket = await connect();
    try {
      await subscribe(socket, channel);
      const sent = (status: string) => (event: EventOf<"webhook">) =>
        event.events.includes("channel_occupied") && event.status === status;
      expect(await view.waitFor("webhook", sent("HTTP 500"))).toMatchObject({ attempt: 1 });
      expect(await view.waitFor("webhook", sent("delivered"))).toMatchObject({ attempt: 2 });
      expect(view.texts.join("\n")).not.toContain("http://");
    } finally {
      socket.ws.close(1000);
      await settled(channel);
      restore();
    }
  });
});

describe("a sharded app's console", () => {
  it.each([
    ["plain channels", SHARDED_APP, "console-spread-"],
    ["history channels", SHARDED_HISTORY_APP, "history-console-spread-"],
  ])(
    "shows a trigger once, with all its channels, however many shards deliver it (%s)",
    async (_, shardedApp, prefix) => {
      const view = await ConsoleClient.open(await logIn({ token: DASHBOARD_TOKEN }), shardedApp.id);
      consoles.push(view);
      const [wide, narrow] = [unique(prefix), unique(prefix)];
      const placed = [
        { socket: await connectIn(shardedApp, "weur"), channel: wide },
        { socket: await connectIn(shardedApp, "oc"), channel: wide },
        { socket: await connectIn(shardedApp, "apac"), channel: narrow },
      ];
      for (const { socket, channel } of placed) await subscribeIn(shardedApp, socket, channel);
      expect((await appTrigger(shardedApp, [wide, narrow], "spread", '{"n":1}')).status).toBe(200);
      for (const { socket } of placed) await socket.nextEvent("spread");
      // Each shard's console socket is in order: once each shows its socket leaving, what it showed of the trigger is in.
      for (const { socket, channel } of placed) socket.send({ event: "pusher:unsubscribe", data: { channel } });
      for (const { socket } of placed) await view.waitFor("unsubscribed", (event) => event.socket === socket.socketId);
      const shown = view.events.filter((event) => event.kind === "api_event" && event.event === "spread");
      expect(shown).toEqual([expect.objectContaining({ channels: [wide, narrow], bytes: '{"n":1}'.length })]);
      for (const { socket } of placed) socket.ws.close(1000);
    },
  );
});
