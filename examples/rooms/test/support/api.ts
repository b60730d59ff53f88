/** Calls the rooms backend's API from Node, as the page does, returning the status and parsed body. */
export async function callApi(
  origin: string,
  path: string,
  options: { method?: string; token?: string; body?: unknown; form?: Record<string, string> } = {},
): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.form !== undefined) {
    headers["Content-Type"] = "application/x-www-form-urlencoded";
    body = new URLSearchParams(options.form).toString();
  } else if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  const response = await fetch(`${origin}${path}`, { method: options.method ?? "GET", headers, body });
  const text = await response.text();
  return { status: response.status, body: text === "" ? null : JSON.parse(text) };
}

/** Joins `room` through the API, returning the member's id and token. */
export async function joinApi(
  origin: string,
  room: string,
  profile: Record<string, string>,
  adminPassword?: string,
): Promise<{ id: string; token: string }> {
  const { status, body } = await callApi(origin, `/api/rooms/${room}/join`, {
    method: "POST",
    body: { profile, adminPassword },
  });
  if (status !== 200 || typeof body !== "object" || body === null) throw new Error(`join failed: ${status}`);
  const id = Reflect.get(body, "id");
  const token = Reflect.get(body, "token");
  if (typeof id !== "string" || typeof token !== "string") throw new Error("join answered without id and token");
  return { id, token };
}
