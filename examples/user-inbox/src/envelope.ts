import { asRecord } from "./json.ts";

/**
 * What travels between the sender, Sower and a user's devices. The envelope
 * goes out through `sendToUser`; each device answers the backend with an ack.
 */

export type FieldValue = string | number | boolean;
/** Flat fields a device's filter is matched against, e.g. `{ kind: "order", priority: "high" }`. */
export type Fields = Record<string, FieldValue>;

export interface Envelope {
  id: string;
  fields: Fields;
  body: unknown;
}

/** The event name envelopes are sent under. */
export const ENVELOPE_EVENT = "envelope";

export type Outcome =
  | { outcome: "handled"; result: unknown }
  | { outcome: "filtered" }
  | { outcome: "failed"; error: string };

/** One device's answer to one envelope, as the device POSTs it to the backend. */
export type Ack = { delivery: string; socketId: string; device: string } & Outcome;

/** A filter matches when every one of its fields is present with exactly that value; `{}` matches everything. */
export function matchesFilter(filter: Fields, fields: Fields): boolean {
  return Object.entries(filter).every(([name, value]) => Object.hasOwn(fields, name) && fields[name] === value);
}

export function parseFields(value: unknown): Fields | undefined {
  const record = asRecord(value);
  if (record === undefined) return undefined;
  const fields: Fields = {};
  for (const [name, field] of Object.entries(record)) {
    if (typeof field !== "string" && typeof field !== "number" && typeof field !== "boolean") return undefined;
    fields[name] = field;
  }
  return fields;
}

export function parseEnvelope(value: unknown): Envelope | undefined {
  const record = asRecord(value);
  const fields = parseFields(record?.fields);
  if (record === undefined || typeof record.id !== "string" || fields === undefined) return undefined;
  return { id: record.id, fields, body: record.body };
}

/** The JSON body of `POST /acks`, or what is wrong with it. */
export function parseAck(value: unknown): { ok: true; ack: Ack } | { ok: false; error: string } {
  const record = asRecord(value);
  if (record === undefined) return { ok: false, error: "body must be a JSON object" };
  const { delivery, socket_id: socketId, device, outcome } = record;
  if (typeof delivery !== "string" || delivery === "") return { ok: false, error: "delivery must be the envelope id" };
  if (typeof socketId !== "string" || !/^\d+\.\d+$/.test(socketId)) {
    return { ok: false, error: "socket_id must be the device's Pusher socket id" };
  }
  if (typeof device !== "string" || device === "" || device.length > 100) {
    return { ok: false, error: "device must be a name of 1 to 100 characters" };
  }
  const base = { delivery, socketId, device };
  if (outcome === "handled") return { ok: true, ack: { ...base, outcome, result: record.result } };
  if (outcome === "filtered") return { ok: true, ack: { ...base, outcome } };
  if (outcome === "failed" && typeof record.error === "string") {
    return { ok: true, ack: { ...base, outcome, error: record.error } };
  }
  return { ok: false, error: 'outcome must be "handled" (with result), "filtered" or "failed" (with error)' };
}
