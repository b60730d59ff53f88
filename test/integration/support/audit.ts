import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import type { Beacon } from "../../../src/beacon/beacon";
import type { Hub } from "../../../src/beacon/hub";
import { firstShard, hubName, isSharded, objectOf, userChannelName } from "../../../src/contract/objects";
import { signedPath } from "../../support/rest-signer";
import type { TestApp } from "./apps";
import { configuredApp } from "./objects";

/*
 * Reading an app's audit log back (docs/audit.md): which object records a
 * call, running its alarm to write the outbox to D1, and the rows D1 holds.
 */

export type Recorder = DurableObjectStub<Beacon> | DurableObjectStub<Hub>;

/**
 * The object that records a call: the app's one Beacon, or for a sharded app
 * the hub of the call's first channel (a user's hub for terminate_connections).
 */
export function recorderOf(app: TestApp, channel: string): Recorder {
  const configured = configuredApp(app.id);
  if (!isSharded(configured)) return firstShard(env.BEACON, configured);
  return objectOf(env.HUB, configured.placement, hubName(app.id, channel));
}

export function userRecorder(app: TestApp, userId: string): Recorder {
  return recorderOf(app, userChannelName(userId));
}

/** What records the calls no other object handled (refusals, dashboard logins): the app's first shard. */
export function refusalRecorder(app: TestApp): DurableObjectStub<Beacon> {
  return firstShard(env.BEACON, configuredApp(app.id));
}

/** Rings the recorder's alarm, which writes its waiting entries to D1. */
export async function flush(recorder: Recorder): Promise<void> {
  await runDurableObjectAlarm(recorder);
}

/** Entries still waiting in a recorder's outbox. */
export function waiting(recorder: Recorder): Promise<number> {
  return runInDurableObject(
    recorder,
    (_instance: unknown, state) =>
      state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM audit_outbox").one().n,
  );
}

/** Evicts a recorder as the runtime does when it idles (it holds no sockets these tests need). */
export async function evict(recorder: Recorder): Promise<void> {
  await runInDurableObject(recorder, () => undefined);
  await evictDurableObject(recorder);
}

export interface AuditRow {
  id: number;
  app_id: string;
  stream: string;
  seq: number;
  time: number;
  endpoint: string;
  status: number;
  key: string;
  ip: string;
  user_agent: string;
  details: string;
  prev_hash: string;
  hash: string;
}

/** The app's rows in D1, in the order each stream recorded them. */
export async function rowsOf(app: TestApp): Promise<AuditRow[]> {
  const { results } = await env.AUDIT_DB.prepare("SELECT * FROM audit_entries WHERE app_id = ? ORDER BY stream, seq")
    .bind(app.id)
    .all<AuditRow>();
  return results;
}

/** A signed call to `/apps/{app.id}{path}` from a given client address and user agent. */
export async function auditedCall(
  app: TestApp,
  method: "GET" | "POST",
  path: string,
  options: { body?: unknown; params?: Record<string, string>; timestamp?: number; secret?: string } = {},
) {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const url = await signedPath({
    method,
    path: `/apps/${app.id}${path}`,
    key: app.key,
    secret: options.secret ?? app.secret,
    ...(body === undefined ? {} : { body }),
    ...(options.params === undefined ? {} : { params: options.params }),
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
  });
  const headers = { "CF-Connecting-IP": CLIENT_IP, "User-Agent": USER_AGENT, "content-type": "application/json" };
  const response = await SELF.fetch(`http://sower.test${url}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  return { status: response.status, text: await response.text(), url };
}

export const CLIENT_IP = "203.0.113.7";
export const USER_AGENT = "audit-test-backend/1.0";

/** `GET /apps/{id}/audit` with these parameters: its status and JSON. */
export async function readAudit(app: TestApp, params: Record<string, string> = {}) {
  const response = await auditedCall(app, "GET", "/audit", { params });
  return {
    status: response.status,
    text: response.text,
    body: response.status === 200 ? JSON.parse(response.text) : undefined,
  };
}
