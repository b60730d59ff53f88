import { broadcast } from "./broadcast";
import { isName } from "./channels";
import { type RoomsEnv, roomStub } from "./env";
import { answer, bearer, field, json, jsonBody, problem } from "./http";
import { isMessageText, MESSAGE_TEXT_RULE } from "./message-text";
import { pusherFor } from "./sower";
import { sameSecret } from "./tokens";

/**
 * The page's API, under /api/rooms/{room}/...: everything except `join` is
 * done as the member whose token is in `Authorization: Bearer`.
 */
export async function roomApi(request: Request, env: RoomsEnv, path: string[]): Promise<Response> {
  const [room, action, item, ...rest] = path;
  if (!isName(room)) return problem(400, "a room name is 1 to 40 letters, digits, _ or -");
  if (rest.length > 0) return problem(404, "no such API path");
  const stub = roomStub(env, room);
  const body = request.method === "GET" ? undefined : await jsonBody(request);
  const route = `${request.method} ${action}${item === undefined ? "" : "/*"}`;
  if (route === "POST join") {
    const password = field(body, "adminPassword");
    const admin = typeof password === "string" && password !== "";
    if (admin && !(await sameSecret(password, env.ADMIN_PASSWORD))) return problem(403, "wrong admin password");
    return answer(await stub.join(field(body, "profile") ?? {}, admin));
  }
  const token = bearer(request);
  if (token === undefined) return problem(401, "send your member token as Authorization: Bearer <token>");
  switch (route) {
    case "GET me": {
      const member = await stub.me(token);
      if (!member.ok) return answer(member);
      // Where this request came from, as Cloudflare's edge saw it.
      const location = { country: request.cf?.country ?? null, city: request.cf?.city ?? null };
      return json({ ...member.value, location });
    }
    case "POST profile":
      return answer(await stub.updateProfile(room, token, field(body, "profile")));
    case "POST chat":
      return answer(await stub.chat(room, token, field(body, "text")));
    case "POST ask":
      return answer(await stub.askAdmin(room, token, field(body, "text")));
    case "PUT config":
      return answer(await stub.setConfig(room, token, field(body, "config")));
    case "POST counters/*":
      if (!isName(item)) return problem(400, "a counter name is 1 to 40 letters, digits, _ or -");
      return answer(await stub.increment(room, token, item, field(body, "by")));
    case "POST broadcast": {
      const text = field(body, "text");
      if (!isMessageText(text)) return problem(400, MESSAGE_TEXT_RULE);
      const sender = await stub.admin(token);
      if (!sender.ok) return answer(sender);
      return json({ rooms: await broadcast(pusherFor(env), sender.value, text) });
    }
    default:
      return problem(404, "no such API path");
  }
}
