import { type AuditQuery, readPage, type StoredAuditEntry, verifyChains } from "../../audit/d1-reader";
import { tryParseJson } from "../../lib/json";
import { err, ok } from "../../lib/result";
import { restError } from "../../protocol/rest";
import type { RestCall, RestReply } from "../call";
import { parsePageWindow } from "../page-window";

export const AUDIT_PAGE = { default: 100, max: 1000 } as const;

/**
 * `GET /apps/{id}/audit`: one page of the app's audit log from D1, newest
 * first unless `direction=forwards`, and whether every stream of the app's
 * hash chains verifies (docs/audit.md). Read in the Worker: no object wakes.
 * `verify=false` skips the check, which reads every retained entry of the app.
 * `recording` says whether the app records calls now (its `audit` option).
 */
export async function getAuditLog(call: RestCall): Promise<RestReply> {
  const db = call.auditLog;
  if (db === undefined) return err(restError(404, "The audit log is read through the REST API"));
  const window = parsePageWindow(call.query, AUDIT_PAGE);
  if (!window.ok) return window;
  const rawCursor = call.query.get("cursor");
  if (rawCursor !== null && !/^\d{1,15}$/.test(rawCursor)) {
    return err(restError(400, "cursor is not one this endpoint returned as next"));
  }
  const verify = call.query.get("verify") ?? "true";
  if (verify !== "true" && verify !== "false") return err(restError(400, 'verify must be "true" or "false"'));
  const query: AuditQuery = { ...window.value, ...(rawCursor === null ? {} : { cursor: Number(rawCursor) }) };
  const page = await readPage(db, call.app.id, query);
  const chain = verify === "true" ? await verifyChains(db, call.app.id) : null;
  const last = page.entries.at(-1);
  return ok({
    entries: page.entries.map(answerEntry),
    direction: query.direction,
    next: page.more && last !== undefined ? String(last.id) : null,
    chain,
    // Off, the app records no new calls; what was recorded stays readable until retention removes it.
    recording: call.app.audit,
  });
}

/** An entry in the endpoint's JSON: the row's fields under their column names, details as JSON again. */
function answerEntry(entry: StoredAuditEntry) {
  return {
    id: entry.id,
    time: entry.time,
    stream: entry.stream,
    seq: entry.seq,
    endpoint: entry.endpoint,
    status: entry.status,
    key: entry.key,
    ip: entry.ip,
    user_agent: entry.userAgent,
    details: tryParseJson(entry.details) ?? entry.details,
    prev_hash: entry.prevHash,
    hash: entry.hash,
  };
}
