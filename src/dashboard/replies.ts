import type { RestError } from "../protocol/rest";
import type { RestReply } from "../rest/call";

/** A refusal the page can show as it is: `{"error": "..."}`. */
export function refusal(status: number, message: string): Response {
  return Response.json({ error: message }, { status });
}

export function fromRestError(error: RestError): Response {
  return refusal(error.status, error.message);
}

/** A REST endpoint's answer as the page reads it: the same JSON, or the same refusal as JSON. */
export function fromRestReply(reply: RestReply): Response {
  if (!reply.ok) return fromRestError(reply.error);
  return reply.value instanceof Response ? reply.value : Response.json(reply.value);
}
