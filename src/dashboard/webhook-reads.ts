import type { AuditRequest } from "../audit/entry";
import type { App } from "../config/app";
import type { EndpointBacklog, WebhookAttempt, WebhookOutboxView } from "../contract/console";
import { firstShard, hubName, isSharded, objectOf, shardsOf } from "../contract/objects";
import { err, ok, type Result } from "../lib/result";
import { log } from "../log";
import type { RestError } from "../protocol/rest";

/** How many recent attempts the page shows, newest first, across the app's objects. */
const RECENT_SHOWN = 50;

/** The webhooks view of a whole app. */
export interface AppWebhooks {
  backlogs: EndpointBacklog[];
  recent: WebhookAttempt[];
  held: number;
  /** Objects that did not answer: their part is missing from the figures. */
  failed_objects: number;
}

interface Objects {
  readonly app: App;
  readonly beacons: Env["BEACON"];
  readonly hubs: Env["HUB"];
}

/**
 * The app's outbox, its endpoints' state and its recent attempts. One
 * Beacon answers alone. A sharded app adds up its shards (each keeps the
 * `client_event` webhooks of its sockets) and the hubs that hold the other
 * webhooks: a hub hands its attempts to the first shard after each alarm,
 * so the hubs asked are those whose latest attempt there failed. A hub whose
 * deliveries succeed has nothing queued for long, and is not asked.
 */
export async function appWebhooks(objects: Objects): Promise<Result<AppWebhooks, RestError>> {
  const { app, beacons } = objects;
  if (!isSharded(app)) {
    const view = await firstShard(beacons, app).webhookOutbox(app.id);
    return view.ok ? ok({ ...view.value, failed_objects: 0 }) : err(view.error);
  }
  const shards = await settled(objects);
  const hubViews = await Promise.allSettled(failingHubs(app, shards.views).map((channel) => hubView(objects, channel)));
  const views = [...shards.views, ...hubViews.flatMap((view) => (view.status === "fulfilled" ? [view.value] : []))];
  const failed = shards.failed + hubViews.filter((view) => view.status === "rejected").length;
  return ok(combine(views, failed));
}

/**
 * "Retry now" across the app: each object with webhooks queued attempts
 * them at once. Answers how many events were queued, and the objects that
 * did not answer. The app's first shard records the call (docs/audit.md).
 */
export async function retryAppWebhooks(
  objects: Objects,
  audit: AuditRequest | undefined,
): Promise<Result<{ queued: number; failed_objects: number }, RestError>> {
  const { app, beacons, hubs } = objects;
  if (!isSharded(app)) {
    const queued = await firstShard(beacons, app).retryWebhooks(app.id, audit);
    return queued.ok ? ok({ queued: queued.value, failed_objects: 0 }) : err(queued.error);
  }
  const { views } = await settled(objects);
  const calls = [
    ...shardsOf(app).map(async (shard, index) => {
      const recorded = index === 0 ? audit : undefined;
      const queued = await objectOf(beacons, app.placement, shard).retryWebhooks(app.id, recorded);
      if (!queued.ok) throw new Error(queued.error.message);
      return queued.value;
    }),
    ...failingHubs(app, views).map((channel) =>
      objectOf(hubs, app.placement, hubName(app.id, channel)).retryWebhooks(app.id, channel),
    ),
  ];
  const answers = await Promise.allSettled(calls);
  let queued = 0;
  for (const answer of answers) if (answer.status === "fulfilled") queued += answer.value;
  return ok({ queued, failed_objects: answers.filter((answer) => answer.status === "rejected").length });
}

type Settled = { views: WebhookOutboxView[]; failed: number };

/** Every shard's view, the ones that failed logged and counted. */
async function settled({ app, beacons }: Objects): Promise<Settled> {
  const shards = shardsOf(app);
  const answers = await Promise.allSettled(
    shards.map((shard) => objectOf(beacons, app.placement, shard).webhookOutbox(app.id)),
  );
  const views: WebhookOutboxView[] = [];
  let failed = 0;
  answers.forEach((answer, index) => {
    const name = shards[index]?.name ?? "";
    if (answer.status === "fulfilled" && answer.value.ok) views.push(named(answer.value.value, name));
    else {
      failed++;
      log("warn", "a shard did not answer the dashboard's webhooks view", { app: app.id, shard: name });
    }
  });
  return { views, failed };
}

/** A shard's own rows name the shard; rows a hub handed on already name the hub. */
function named(view: WebhookOutboxView, source: string): WebhookOutboxView {
  return {
    backlogs: view.backlogs.map((backlog) => ({ ...backlog, source })),
    recent: view.recent.map((attempt) => (attempt.source === "" ? { ...attempt, source } : attempt)),
    held: view.held,
  };
}

/** The channels whose hub's latest attempt, as handed to the first shard, failed. */
function failingHubs(app: App, views: readonly WebhookOutboxView[]): string[] {
  const prefix = hubName(app.id, "");
  const latest = new Map<string, WebhookAttempt>();
  for (const attempt of views.flatMap((view) => view.recent)) {
    if (!attempt.source.startsWith(prefix)) continue;
    const seen = latest.get(attempt.source);
    if (seen === undefined || seen.at < attempt.at) latest.set(attempt.source, attempt);
  }
  return [...latest.values()].filter((attempt) => !attempt.ok).map((attempt) => attempt.source.slice(prefix.length));
}

async function hubView({ app, hubs }: Objects, channel: string): Promise<WebhookOutboxView> {
  const source = hubName(app.id, channel);
  const view = await objectOf(hubs, app.placement, source).webhookOutbox(app.id, channel);
  return named(view, source);
}

function combine(views: readonly WebhookOutboxView[], failed: number): AppWebhooks {
  const recent = views
    .flatMap((view) => view.recent)
    .sort((a, b) => b.at - a.at)
    .slice(0, RECENT_SHOWN);
  return {
    backlogs: views.flatMap((view) => view.backlogs),
    recent,
    held: views.reduce((sum, view) => sum + view.held, 0),
    failed_objects: failed,
  };
}
