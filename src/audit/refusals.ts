import { log } from "../log";
import type { AuditRequest } from "./entry";

/** How long one isolate gathers an app's refused calls into one entry after recording the first in full. */
export const REFUSAL_WINDOW_MS = 10_000;
/** Distinct client addresses and endpoints kept in a window's summary; the rest are counted under "other". */
const DISTINCT_KEPT = 10;

/** Sends entries to the app's recording object, whose outbox takes them to D1. */
export type AuditSend = (requests: AuditRequest[]) => Promise<void>;

interface Window {
  readonly opened: number;
  count: number;
  readonly statuses: Map<number, number>;
  readonly endpoints: Map<string, number>;
  readonly addresses: Set<string>;
}

/**
 * Calls the Worker refuses before any object is asked (a bad signature, an
 * expired timestamp, a body over the limit) are recorded without letting
 * whoever sends them decide how many Durable Object requests that costs
 * (docs/audit.md). Per isolate and app, the first refusal of a window is
 * sent at once, in full; the others are only counted. The count goes out as
 * one summary entry with the first request for the app after the window
 * closes, refused or not. So an isolate costs an app at most one object
 * request per window for its refusals, however fast they come.
 */
export class RefusalRecorder {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly windowMs: number = REFUSAL_WINDOW_MS) {}

  /** Records one refusal; the first of a window is awaited, so it is in the outbox when the refusal is answered. */
  async refused(appId: string, request: AuditRequest, send: AuditSend, now: number = Date.now()): Promise<void> {
    const open = this.windows.get(appId);
    if (open !== undefined && now - open.opened < this.windowMs) {
      tally(open, request);
      return;
    }
    this.windows.set(appId, newWindow(now));
    const closed = open === undefined || open.count === 0 ? [] : [summary(open, now)];
    await deliver(send, appId, [...closed, request]);
  }

  /**
   * On any request for the app: a closed window's summary, if it counted
   * anything, to be sent after the answer (`waitUntil`).
   */
  settle(appId: string, send: AuditSend, now: number = Date.now()): Promise<void> | undefined {
    const open = this.windows.get(appId);
    if (open === undefined || now - open.opened < this.windowMs) return undefined;
    this.windows.delete(appId);
    return open.count === 0 ? undefined : deliver(send, appId, [summary(open, now)]);
  }
}

/** The Worker's one recorder: its windows are per isolate, as the Worker's memory is. */
export const refusals = new RefusalRecorder();

function newWindow(now: number): Window {
  return { opened: now, count: 0, statuses: new Map(), endpoints: new Map(), addresses: new Set() };
}

function tally(window: Window, request: AuditRequest): void {
  window.count++;
  const status = request.status ?? 0;
  window.statuses.set(status, (window.statuses.get(status) ?? 0) + 1);
  const endpoint =
    window.endpoints.has(request.endpoint) || window.endpoints.size < DISTINCT_KEPT ? request.endpoint : "other";
  window.endpoints.set(endpoint, (window.endpoints.get(endpoint) ?? 0) + 1);
  if (window.addresses.size < DISTINCT_KEPT) window.addresses.add(request.ip);
}

/** The refusals after a window's first, as one entry. */
function summary(window: Window, now: number): AuditRequest {
  return {
    endpoint: "refused calls",
    key: "",
    ip: "",
    userAgent: "",
    status: 0,
    details: {
      count: window.count,
      from: window.opened,
      to: now,
      statuses: Object.fromEntries(window.statuses),
      endpoints: Object.fromEntries(window.endpoints),
      addresses: [...window.addresses],
    },
  };
}

/** A failure is logged, never thrown: the refusal is answered as it would have been. */
async function deliver(send: AuditSend, appId: string, requests: AuditRequest[]): Promise<void> {
  try {
    await send(requests);
  } catch (error) {
    log("error", "refused calls could not be recorded", { app: appId, entries: requests.length, error: String(error) });
  }
}
