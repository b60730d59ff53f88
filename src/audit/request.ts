import { sha256Hex } from "../auth/crypto";
import type { App } from "../config/app";
import type { PublishEvent } from "../contract/rpc";
import { utf8Length } from "../lib/text";
import { AUDIT_TEXT_LIMIT, type AuditRequest } from "./entry";

/**
 * Who made a call, as far as the Worker can tell: the client address
 * Cloudflare's edge saw (`CF-Connecting-IP`; a client cannot set it through
 * the edge) and the user agent it sent. Details are added by what the call does.
 */
export function auditRequest(request: Request, endpoint: string, key: string): AuditRequest {
  const header = (name: string) => clipped(request.headers.get(name) ?? "");
  return {
    endpoint: clipped(endpoint),
    key: clipped(key),
    ip: header("CF-Connecting-IP"),
    userAgent: header("User-Agent"),
    details: {},
  };
}

/**
 * The entry for a call to `app`, or none when the app records nothing
 * (`audit` off): with no entry, no object writes an outbox row for the call.
 */
export function auditRequestFor(app: App, request: Request, endpoint: string, key: string): AuditRequest | undefined {
  return app.audit ? auditRequest(request, endpoint, key) : undefined;
}

/** Whoever sends a call chooses its path, key and headers: what the log keeps of them is cut short. */
function clipped(text: string): string {
  return text.slice(0, AUDIT_TEXT_LIMIT);
}

/**
 * A trigger's events as the log keeps them: names, channels, the socket
 * excluded, and each data's size and SHA-256, so a payload can be matched
 * later without the log holding it. Digested here, in the Worker, so the
 * recording object does no hashing in the step that delivers.
 */
export async function withEvents(
  audit: AuditRequest | undefined,
  events: readonly PublishEvent[],
): Promise<AuditRequest | undefined> {
  if (audit === undefined) return undefined;
  const described = await Promise.all(
    events.map(async (event) => ({
      name: event.name,
      channels: event.channels,
      data_bytes: utf8Length(event.data),
      data_sha256: await sha256Hex(event.data),
      ...(event.socketId === undefined ? {} : { socket_id: event.socketId }),
    })),
  );
  return { ...audit, details: { ...audit.details, events: described } };
}
