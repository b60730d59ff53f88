import type { App } from "../config/app";
import { firstShard } from "../contract/objects";
import { log } from "../log";
import { AUDIT_TEXT_LIMIT, type AuditRequest } from "./entry";
import { refusals } from "./refusals";

/** What the Worker needs to record and read the audit log. */
export interface AuditWorker {
  readonly db: D1Database;
  /** Hands entries to the object that records what no other object handled: the app's first shard. */
  record(app: App, requests: AuditRequest[]): Promise<void>;
  /** Work that may finish after the answer (the request's ExecutionContext). */
  waitUntil(work: Promise<unknown>): void;
}

export function auditWorker(
  env: Pick<Env, "AUDIT_DB" | "BEACON">,
  context: Pick<ExecutionContext, "waitUntil"> | undefined,
): AuditWorker {
  return {
    db: env.AUDIT_DB,
    // One object for these, as they are few: refusals come in bounded windows, logins under their rate limit.
    record: (app, requests) => firstShard(env.BEACON, app).recordAudit(app.id, requests),
    // Called without a context (tests that call the router directly), the work still runs; nothing waits for it.
    waitUntil: (work) => (context === undefined ? void work : context.waitUntil(work)),
  };
}

/**
 * Records a call the Worker refused before asking any object (docs/audit.md),
 * with the reason's first words: a message may quote the string that was
 * signed, which the log does not need.
 */
export async function recordRefusal(audit: AuditWorker, app: App, entry: AuditRequest, message: string): Promise<void> {
  if (!app.audit) return;
  const [reason = ""] = message.split(":");
  const refused = { ...entry, details: { ...entry.details, reason: reason.trim().slice(0, AUDIT_TEXT_LIMIT) } };
  await refusals.refused(app.id, refused, (requests) => audit.record(app, requests));
}

/** Sends, after the answer, the summary of the app's refusals whose window has closed (audit/refusals.ts). */
export function settleRefusals(audit: AuditWorker, app: App): void {
  const sent = refusals.settle(app.id, (requests) => audit.record(app, requests));
  if (sent !== undefined) audit.waitUntil(sent);
}

/**
 * Records what the Worker handled alone (a dashboard login) through the
 * app's first shard, awaited so the entry is in an outbox when the call is
 * answered. A failure is logged and the call answered as it would have been.
 */
export async function recordInApp(audit: AuditWorker, app: App, entry: AuditRequest): Promise<void> {
  if (!app.audit) return;
  try {
    await audit.record(app, [entry]);
  } catch (error) {
    log("error", "an audit entry could not be recorded", {
      app: app.id,
      endpoint: entry.endpoint,
      error: String(error),
    });
  }
}
