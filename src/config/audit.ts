import { err, ok, type Result } from "../lib/result";

/**
 * The audit log's settings (docs/audit.md), as the environment names them;
 * the check of docs/configuration.md reads this list. They are the
 * deployment's, like the one database the log is kept in.
 */
export const AUDIT_SETTINGS = ["AUDIT_RETENTION_DAYS"] as const;

export type AuditEnv = Readonly<Partial<Record<(typeof AUDIT_SETTINGS)[number], string>>>;

export const DEFAULT_AUDIT_RETENTION_DAYS = 90;
/** Ten years: beyond it a number is more likely a typo than a policy. */
export const MAX_AUDIT_RETENTION_DAYS = 3650;

/** How many days entries are kept: unset is the default; anything but a whole number in range is a problem. */
export function readAuditRetentionDays(env: AuditEnv): Result<number, string> {
  const value = env.AUDIT_RETENTION_DAYS?.trim() ?? "";
  if (value === "") return ok(DEFAULT_AUDIT_RETENTION_DAYS);
  const days = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(days >= 1 && days <= MAX_AUDIT_RETENTION_DAYS)) {
    return err(
      `AUDIT_RETENTION_DAYS must be a whole number of days from 1 to ${MAX_AUDIT_RETENTION_DAYS}: ` +
        "audit entries are kept and nothing is pruned until it is",
    );
  }
  return ok(days);
}
