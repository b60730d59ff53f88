import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import type { Beacon } from "../../../src/beacon/beacon";
import type { Hub } from "../../../src/beacon/hub";
import { readAttachment } from "../../../src/beacon/state/attachment";
import type { App } from "../../../src/config/app";
import { loadApps } from "../../../src/config/registry";
import { hubName, isSharded, objectOf, shardsOf } from "../../../src/contract/objects";
import { hibernate } from "./eviction";
import { APP_ID, connect, type TestSocket } from "./socket";

/*
 * The objects that hold an app's sockets, whether the project runs it on
 * one Beacon or spread over shards (vitest.config.ts runs the tier both
 * ways). A test that looks inside "the Beacon" looks inside the one that
 * holds the socket it is about.
 */

/** An app as this project configures it. */
export function configuredApp(appId: string = APP_ID): App {
  const apps = loadApps(env);
  const app = apps.ok ? apps.byId(appId) : undefined;
  if (app === undefined) throw new Error(`app ${appId} is not configured in this project`);
  return app;
}

/** Whether this project spreads the app over shards. */
export function sharded(appId: string = APP_ID): boolean {
  return isSharded(configuredApp(appId));
}

interface Holder {
  readonly name: string;
  readonly stub: DurableObjectStub<Beacon>;
}

function holders(appId: string): Holder[] {
  const app = configuredApp(appId);
  return shardsOf(app).map((shard) => ({ name: shard.name, stub: objectOf(env.BEACON, app.placement, shard) }));
}

/** Every object of the app that takes sockets: its one Beacon, or each shard. */
export function socketHolders(appId: string = APP_ID): Array<DurableObjectStub<Beacon>> {
  return holders(appId).map((holder) => holder.stub);
}

async function holding(socketId: string, appId: string): Promise<Holder> {
  const { key } = configuredApp(appId);
  for (const holder of holders(appId)) {
    const holds = await runInDurableObject(holder.stub, (_instance, state) =>
      state.getWebSockets().some((ws) => readAttachment(ws, key)?.socketId === socketId),
    );
    if (holds) return holder;
  }
  throw new Error(`no object of ${appId} holds socket ${socketId}`);
}

/** The object holding a socket. */
export async function holderOf(socketId: string, appId: string = APP_ID): Promise<DurableObjectStub<Beacon>> {
  return (await holding(socketId, appId)).stub;
}

/**
 * Leaves a presence member as a crash would: a subscription row for a
 * socket the runtime no longer holds, in the object holding `beside`. On a
 * sharded app the member was also in the channel's hub (as its join put it
 * there), so the hub is given it too and evicted, to read it back.
 */
export async function plantVanishedMember(
  beside: string,
  socketId: string,
  channel: string,
  userId: string,
): Promise<void> {
  const holder = await holding(beside, APP_ID);
  await runInDurableObject(holder.stub, (_instance, state) => {
    state.storage.sql.exec(
      "INSERT INTO subscriptions (socket_id, channel, user_id, user_info) VALUES (?, ?, ?, ?)",
      socketId,
      channel,
      userId,
      "{}",
    );
  });
  const app = configuredApp();
  if (!isSharded(app)) return;
  const hub = objectOf(env.HUB, app.placement, hubName(app.id, channel));
  await runInDurableObject(hub, (_instance, state) => {
    state.storage.sql.exec(
      "INSERT INTO hub_sockets (socket_id, role, shard, user_id, user_info) VALUES (?, 'member', ?, ?, '{}')",
      socketId,
      holder.name,
      userId,
    );
  });
  await evictDurableObject(hub);
}

/**
 * Hibernates every object of the app that holds sockets, as the runtime
 * does when they idle; with shards, the hubs of `channels` are evicted too.
 */
export async function hibernateApp(appId: string = APP_ID, ...channels: string[]): Promise<void> {
  for (const stub of socketHolders(appId)) await hibernate(stub);
  const app = configuredApp(appId);
  if (!isSharded(app)) return;
  for (const channel of channels) {
    const hub = objectOf(env.HUB, app.placement, hubName(app.id, channel));
    // Started first: only a running object can be evicted.
    await runInDurableObject(hub, () => undefined);
    await evictDurableObject(hub);
  }
}

/**
 * Connects two sockets that one object holds: on a sharded app, sockets are
 * opened until two share a shard (one more than there are shards, at most);
 * the others are closed.
 */
export async function connectTwoTogether(): Promise<[TestSocket, TestSocket]> {
  const byHolder = new Map<string, TestSocket>();
  const opened: TestSocket[] = [];
  for (;;) {
    const socket = await connect();
    opened.push(socket);
    const { name } = await holding(socket.socketId, APP_ID);
    const first = byHolder.get(name);
    if (first === undefined) {
      byHolder.set(name, socket);
      continue;
    }
    for (const other of opened) if (other !== first && other !== socket) other.ws.close(1000);
    return [first, socket];
  }
}

/**
 * Every object that may hold webhook work for these channels: the app's
 * Beacon, or its shards (client events) and the channels' hubs (the rest).
 */
export function webhookHolders(...channels: string[]): Array<DurableObjectStub<Beacon> | DurableObjectStub<Hub>> {
  const app = configuredApp();
  const hubs = isSharded(app)
    ? channels.map((channel) => objectOf(env.HUB, app.placement, hubName(app.id, channel)))
    : [];
  return [...socketHolders(), ...hubs];
}

/** The hub of one of the default app's channels (only a sharded app has any). */
export function hubOf(channel: string): DurableObjectStub<Hub> {
  const app = configuredApp();
  return objectOf(env.HUB, app.placement, hubName(app.id, channel));
}
