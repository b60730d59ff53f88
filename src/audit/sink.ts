import { type AuditEnv as AuditSettings, readAuditRetentionDays } from "../config/audit";
import { log } from "../log";

/** Where an object's audit entries go: the deployment's database, its stream there, and how long entries stay. */
export interface AuditSink {
  readonly db: D1Database;
  readonly stream: string;
  /** Undefined when the setting is wrong: then nothing is pruned, since keeping too much loses nothing. */
  readonly retentionDays: number | undefined;
}

/** What an object reads of its environment for the audit log: the AUDIT_DB binding (wrangler.jsonc) and the settings. */
export type AuditEnv = AuditSettings & { readonly AUDIT_DB: D1Database };

/** The sink of the object `stream` (its id). */
export function auditSink(env: AuditEnv, stream: string): AuditSink {
  const retention = readAuditRetentionDays(env);
  if (!retention.ok) log("error", "audit retention is misconfigured", { problem: retention.error });
  return { db: env.AUDIT_DB, stream, retentionDays: retention.ok ? retention.value : undefined };
}
