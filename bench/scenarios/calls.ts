import type { CallCounts } from "../targets/counts.ts";

/** The calls that entered the objects between two readings of their counters. */
export interface CallDelta {
  /** Every call, each a billed Durable Object request (an incoming WebSocket message is one twentieth of one). */
  total: number;
  byMethod: Map<string, number>;
  /** Objects that got at least one call, by "Class name". */
  objects: Map<string, number>;
}

function delta(before: Record<string, number>, after: Record<string, number>): Map<string, number> {
  const changed = new Map<string, number>();
  for (const [key, count] of Object.entries(after)) {
    const grown = count - (before[key] ?? 0);
    if (grown > 0) changed.set(key, grown);
  }
  return changed;
}

export function callDelta(before: CallCounts, after: CallCounts): CallDelta {
  const byMethod = delta(before.calls, after.calls);
  return {
    total: [...byMethod.values()].reduce((sum, count) => sum + count, 0),
    byMethod,
    objects: delta(before.objects, after.objects),
  };
}

/** Calls the platform delivers to a socket's handlers: billed as incoming messages, not as requests. */
const SOCKET_HANDLERS = ["Beacon.webSocketMessage", "Beacon.webSocketClose", "Beacon.webSocketError"];

/** The calls that were socket handler calls (incoming messages, closes and errors). */
export function socketHandlerCalls(calls: CallDelta): number {
  return SOCKET_HANDLERS.reduce((sum, handler) => sum + (calls.byMethod.get(handler) ?? 0), 0);
}

/** Calls to methods of `className` (e.g. "Hub"), or to one method ("Beacon.deliver"). */
export function callsTo(calls: CallDelta, prefix: string): number {
  let sum = 0;
  for (const [method, count] of calls.byMethod) {
    if (method === prefix || method.startsWith(`${prefix}.`)) sum += count;
  }
  return sum;
}

/** Objects of `className` that got calls. */
export function objectsOf(calls: CallDelta, className: string): number[] {
  return [...calls.objects].filter(([name]) => name.startsWith(`${className} `)).map(([, count]) => count);
}

/** "Class.method n, ..." for the report, most called first. */
export function describeCalls(calls: CallDelta): string {
  return [...calls.byMethod]
    .sort((a, b) => b[1] - a[1])
    .map(([method, count]) => `${method} ${count.toLocaleString("en-US")}`)
    .join(", ");
}
