/** What a room answers: a value, or why not with the HTTP status that says so. Plain data, so it crosses RPC. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; status: 400 | 401 | 403 | 404; error: string };

export function done<T>(value: T): Outcome<T> {
  return { ok: true, value };
}

export function refuse(
  status: 400 | 401 | 403 | 404,
  error: string,
): { ok: false; status: 400 | 401 | 403 | 404; error: string } {
  return { ok: false, status, error };
}
