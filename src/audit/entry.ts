/**
 * The audit log's entries (docs/audit.md), as the Worker hands a call to the
 * object that records it and as D1 stores them. Plain data: RPC copies it by
 * structured clone. No field ever holds a secret or a signature.
 */

/** What the Worker knows of a call that changes something, or that it refused. */
export interface AuditRequest {
  /** What was called: `POST /events`, `dashboard login`, ... */
  readonly endpoint: string;
  /** The key the call was made with (`auth_key`, the dashboard session's key, `operator`), or "" when none. */
  readonly key: string;
  /** `CF-Connecting-IP`, or "" when the request did not come through Cloudflare's edge. */
  readonly ip: string;
  readonly userAgent: string;
  /** What the call did or asked, as JSON: event names, channels, data sizes and digests, a user id. */
  readonly details: Record<string, unknown>;
  /** Known when the Worker refused the call; otherwise the recording object says how the call ended. */
  readonly status?: number;
}

/** One recorded call, in the order its stream recorded it, before it is chained. */
export interface AuditEntry {
  readonly seq: number;
  /** Unix milliseconds, the recording object's clock. */
  readonly time: number;
  readonly endpoint: string;
  readonly status: number;
  readonly key: string;
  readonly ip: string;
  readonly userAgent: string;
  /** JSON text, hashed exactly as stored. */
  readonly details: string;
}

/** An entry as D1 holds it: in its app and stream, linked to the entry before it. */
export interface ChainedEntry extends AuditEntry {
  readonly appId: string;
  readonly stream: string;
  readonly prevHash: string;
  readonly hash: string;
}

/** Where a stream's chain stands: its newest entry's sequence number and hash. */
export interface ChainLink {
  readonly seq: number;
  readonly hash: string;
}

/** The link before a stream's first entry. */
export const GENESIS: ChainLink = { seq: 0, hash: "0".repeat(64) };

/** Long values are cut so that one entry stays small whatever a caller sends. */
export const AUDIT_TEXT_LIMIT = 200;
