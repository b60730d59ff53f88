import { performance } from "node:perf_hooks";
import Pusher from "pusher";
import { cpuSeconds } from "../../bench/host/proc.ts";
import { WEBHOOK_LEAVE_GRACE_MS } from "../../src/protocol/webhooks.ts";
import type { WebhookReceiver } from "../../test/e2e/support/webhook-receiver.ts";
import type { SoakRuntime } from "../host/runtime.ts";
import { isObject } from "../load/soak-socket.ts";
import { CACHED_EVENT, CHECK_EVENT, StormClient } from "./client.ts";
import { planStorm, type StormPlan } from "./plan.ts";
import { judgeWebhooks, type Returns, type WebhookVerdicts } from "./webhooks.ts";

export interface StormOptions {
  sockets: number;
  /** Reconnections are spread evenly over this window once the runtime is back. */
  spreadMs: number;
  tag: string;
}

export interface StormReport extends WebhookVerdicts {
  sockets: number;
  subscriptions: number;
  presenceUsers: number;
  /** Opening and subscribing every socket before the restart. */
  firstConnectSeconds: number;
  /** Stopping and starting the runtime (its state kept). */
  restartSeconds: number;
  /** From the runtime being back to the last socket subscribed again (both channels, cached event in). */
  reconnectSeconds: number;
  /** From the runtime being stopped to the last socket subscribed again. */
  outageSeconds: number;
  /** CPU the runtime spent from its restart to the last socket back, and how busy this process's loop was. */
  serverCpuSeconds: number;
  clientBusy: number;
  /** Sockets that did not come back. Must be 0. */
  notBack: number;
  /** Connection attempts refused or reset and retried a second later. */
  retries: number;
  /** Sockets whose cache channel gave other than exactly the event cached before the restart. Must be 0. */
  cacheFaults: number;
  /** Sockets whose presence roster was contradicted or ended wrong, and member lists the HTTP API got wrong. Must be 0. */
  rosterFaults: number;
  /** Channels whose subscription count the HTTP API gave wrong after the storm. Must be 0. */
  countFaults: number;
  /** After the storm, one event to every channel: deliveries missing, and delivered twice. Must be 0. */
  lost: number;
  duplicates: number;
  /** `pusher:error` or `pusher:subscription_error` on storm sockets. Must be 0. */
  errors: number;
}

const FIRST_CONNECT_WINDOW = 200;
/** Webhooks have settled once none has arrived for this long, and at least the leave grace has passed. */
const WEBHOOKS_QUIET_MS = 1_500;
const WEBHOOKS_WAIT_MS = 30_000;

/**
 * A deploy, as Cloudflare does one: every socket drops at once, the object
 * restarts with its SQLite, and every client reconnects within a second.
 * The sockets are a mix of public, private and presence subscribers, each
 * also on a cache channel; nothing may be lost or doubled: not a roster, a
 * cached event, a delivery, a subscription count, nor a webhook.
 */
export async function reconnectStorm(
  runtime: SoakRuntime,
  receiver: WebhookReceiver,
  webhookPath: string,
  options: StormOptions,
): Promise<StormReport> {
  const plan = planStorm(options.sockets, options.tag);
  const { appId, key, secret, host, port } = runtime.info;
  const sdk = new Pusher({ appId, key, secret, host, port: String(port), useTLS: false });
  const version = `v-${options.tag}`;
  for (const channel of plan.cacheChannels) await sdk.trigger(channel, CACHED_EVENT, JSON.stringify({ v: version }));

  const clients = plan.sockets.map((socket) => new StormClient(runtime.info, socket));
  const firstFrom = Date.now();
  await inWindows(clients, FIRST_CONNECT_WINDOW, (client) => client.connect());
  const firstConnectSeconds = (Date.now() - firstFrom) / 1000;
  await webhooksSettled(receiver);

  const killedAt = Date.now();
  const requestsBefore = receiver.requests.length;
  await runtime.restart();
  const readyAt = Date.now();
  const cpuAtReady = cpuSeconds(runtime.pids());
  const loopAtReady = performance.eventLoopUtilization();
  const reconnected = await Promise.allSettled(
    clients.map(async (client) => {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * options.spreadMs));
      return client.connect();
    }),
  );
  const firstAttemptAt = Math.min(...clients.map((client) => client.visit?.startedAt ?? Date.now()));
  const backAt = Math.max(...clients.map((client) => client.visit?.backAt ?? 0));
  const serverCpuSeconds = cpuSeconds(runtime.pids()) - cpuAtReady;
  const clientBusy = performance.eventLoopUtilization(loopAtReady).utilization;

  const report: StormReport = {
    sockets: clients.length,
    subscriptions: clients.length * 2,
    presenceUsers: [...plan.members.values()].reduce((sum, users) => sum + users.size, 0),
    firstConnectSeconds,
    restartSeconds: (readyAt - killedAt) / 1000,
    reconnectSeconds: (backAt - readyAt) / 1000,
    outageSeconds: (backAt - killedAt) / 1000,
    serverCpuSeconds,
    clientBusy,
    notBack: reconnected.filter((result) => result.status === "rejected").length,
    retries: clients.reduce((sum, client) => sum + client.retries, 0),
    cacheFaults: clients.filter((client) => !client.cacheIsRight(version)).length,
    rosterFaults: rosterFaults(clients, plan),
    countFaults: 0,
    lost: 0,
    duplicates: 0,
    errors: 0,
    afterGrace: 0,
    membersAfterGrace: 0,
    flapsWithinGrace: 0,
    badSequences: 0,
    cacheMisses: 0,
  };
  report.rosterFaults += await memberListFaults(sdk, plan);
  report.countFaults = await countFaults(sdk, plan);
  await checkDeliveries(sdk, clients, plan, report);
  await webhooksSettled(receiver);
  Object.assign(
    report,
    judgeWebhooks(receiver.requests.slice(requestsBefore), webhookPath, returnsOf(clients), firstAttemptAt),
  );
  report.errors = clients.reduce((sum, client) => sum + (client.visit?.errors ?? 0), 0);
  for (const client of clients) client.socket?.close();
  await Promise.all(clients.map((client) => client.socket?.closed));
  return report;
}

/**
 * Waits out the leave grace (the leaves found on waking are held that long
 * before the alarm sends them), then until no webhook has come for a while.
 */
async function webhooksSettled(receiver: WebhookReceiver): Promise<void> {
  const from = Date.now();
  await new Promise((resolve) => setTimeout(resolve, WEBHOOK_LEAVE_GRACE_MS));
  let seen = receiver.requests.length;
  let quietSince = Date.now();
  while (Date.now() - quietSince < WEBHOOKS_QUIET_MS && Date.now() - from < WEBHOOKS_WAIT_MS) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (receiver.requests.length !== seen) {
      seen = receiver.requests.length;
      quietSince = Date.now();
    }
  }
}

/** Runs `work` on every client with at most `window` at a time. */
async function inWindows<T>(
  clients: readonly StormClient[],
  window: number,
  work: (client: StormClient) => Promise<T>,
) {
  let next = 0;
  const lane = async () => {
    for (let client = clients[next++]; client !== undefined; client = clients[next++]) await work(client);
  };
  await Promise.all(Array.from({ length: window }, lane));
}

function rosterFaults(clients: readonly StormClient[], plan: StormPlan): number {
  let faults = 0;
  for (const client of clients) {
    const { userId, channel } = client.plan;
    if (userId === undefined) continue;
    faults += client.visit?.rosterFaults ?? 0;
    if (!client.roster.equals(plan.members.get(channel) ?? new Set())) faults++;
  }
  return faults;
}

/** Each presence channel's member list from the HTTP API against the plan. */
async function memberListFaults(sdk: Pusher, plan: StormPlan): Promise<number> {
  let faults = 0;
  for (const [channel, users] of plan.members) {
    const body: unknown = await (await sdk.get({ path: `/channels/${channel}/users` })).json();
    const ids = isObject(body) && Array.isArray(body.users) ? body.users : [];
    const listed = new Set(ids.map((user: unknown) => (isObject(user) ? user.id : undefined)));
    if (ids.length !== users.size || [...users].some((user) => !listed.has(user))) faults++;
  }
  return faults;
}

/** Every channel's subscription count from the HTTP API against the plan. */
async function countFaults(sdk: Pusher, plan: StormPlan): Promise<number> {
  const body: unknown = await (await sdk.get({ path: "/channels", params: { info: "subscription_count" } })).json();
  const listed = isObject(body) && isObject(body.channels) ? body.channels : {};
  let faults = 0;
  for (const [channel, count] of plan.subscriptions) {
    const info = listed[channel];
    if (!isObject(info) || info.subscription_count !== count) faults++;
  }
  return faults;
}

/** One event to every channel, 100 channels a call; every socket must get each of its two exactly once. */
async function checkDeliveries(sdk: Pusher, clients: readonly StormClient[], plan: StormPlan, report: StormReport) {
  const channels = [...plan.subscriptions.keys()];
  for (let first = 0; first < channels.length; first += 100) {
    await sdk.trigger(channels.slice(first, first + 100), CHECK_EVENT, "{}");
  }
  const expected = clients.length * 2;
  const received = () => clients.reduce((sum, client) => sum + countChecks(client), 0);
  const giveUpAt = Date.now() + 30_000;
  while (received() < expected && Date.now() < giveUpAt) await new Promise((resolve) => setTimeout(resolve, 50));
  for (const client of clients) {
    for (const channel of [client.plan.channel, client.plan.cacheChannel]) {
      const count = client.visit?.checks.get(channel) ?? 0;
      if (count === 0) report.lost++;
      if (count > 1) report.duplicates += count - 1;
    }
  }
}

function countChecks(client: StormClient): number {
  let count = 0;
  for (const seen of client.visit?.checks.values() ?? []) count += seen;
  return count;
}

/** When each channel, and each presence member of a channel, was first subscribed again. */
function returnsOf(clients: readonly StormClient[]): Returns {
  const returns: Returns = new Map();
  const earliest = (subject: string, at: number | undefined) => {
    if (at === undefined) return;
    returns.set(subject, Math.min(returns.get(subject) ?? at, at));
  };
  for (const client of clients) {
    const { channel, cacheChannel, userId } = client.plan;
    earliest(channel, client.visit?.channelBackAt);
    earliest(cacheChannel, client.visit?.cacheBackAt);
    if (userId !== undefined) earliest(`${channel} ${userId}`, client.visit?.channelBackAt);
  }
  return returns;
}
