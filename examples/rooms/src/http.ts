import type { Outcome } from "./outcome";

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", "Cache-Control": "no-store" },
  });
}

export function problem(status: number, error: string): Response {
  return json({ error }, status);
}

/** An outcome as the page gets it: the value, or `{error}` with its status. */
export function answer<T>(outcome: Outcome<T>): Response {
  return outcome.ok ? json(outcome.value) : problem(outcome.status, outcome.error);
}

/** The request's JSON body, or undefined when it is not JSON. */
export async function jsonBody(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    return undefined;
  }
}

/** A field of a parsed body, whatever its type (the room checks it). */
export function field(body: unknown, name: string): unknown {
  return typeof body === "object" && body !== null && name in body ? Reflect.get(body, name) : undefined;
}

/** The member token from `Authorization: Bearer ...`. */
export function bearer(request: Request): string | undefined {
  const match = /^Bearer (\S+)$/.exec(request.headers.get("Authorization") ?? "");
  return match?.[1];
}
