import { signedQuery } from "../../bench/load/rest.ts";
import type { ServerInfo } from "../../test/e2e/support/server.ts";
import type { Random } from "../random.ts";
import { WRONG_VALUES } from "./frames.ts";

/** A request written byte for byte: its head, then a body sent whole or in chunks. */
export interface HostileRequest {
  category: RequestCategory;
  /** Bytes, when the head is not even text. */
  head: string | Buffer;
  body?: Buffer;
  /** Bytes sent as a chunked body, in 64 KiB chunks, until the server answers. */
  chunkedBytes?: number;
}

/** Where hostile requests that happen to be valid deliver: a channel no honest socket holds. */
const TARGET_CHANNEL = "soak-rest-target";
const TARGET_EVENT = "hostile-rest";
const WINDOW_SECONDS = 600;

function head(server: ServerInfo, method: string, target: string, headers: Record<string, string> = {}): string {
  const lines = Object.entries({ Host: `${server.host}:${server.port}`, Connection: "close", ...headers }).map(
    ([name, value]) => `${name}: ${value}`,
  );
  return `${method} ${target} HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n`;
}

function jsonHeaders(body: Buffer, contentType = "application/json"): Record<string, string> {
  return { "Content-Type": contentType, "Content-Length": String(body.length) };
}

/** A signed POST of `body` to `endpoint`, as a backend SDK sends it; `timestamp` replays an old one. */
function signedPost(
  server: ServerInfo,
  endpoint: string,
  body: Buffer,
  category: RequestCategory,
  options: { timestamp?: number; contentType?: string } = {},
): HostileRequest {
  const path = `/apps/${server.appId}${endpoint}`;
  const query = signedQuery("POST", path, body.toString("utf8"), {
    signer: server,
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
  });
  return { category, head: head(server, "POST", `${path}?${query}`, jsonHeaders(body, options.contentType)), body };
}

function signedGet(server: ServerInfo, path: string, category: RequestCategory): HostileRequest {
  return { category, head: head(server, "GET", `${path}?${signedQuery("GET", path, "", { signer: server })}`) };
}

function validTrigger(): Buffer {
  return Buffer.from(JSON.stringify({ name: TARGET_EVENT, channel: TARGET_CHANNEL, data: "{}" }));
}

const REQUESTS = {
  "bad-signature": (server: ServerInfo, random: Random): HostileRequest => {
    const valid = signedPost(server, "/events", validTrigger(), "bad-signature");
    const forged = random.pick([
      "0".repeat(64),
      random.bytes(32).toString("hex"),
      "",
      "zz",
      random.bytes(31).toString("hex"),
      `${random.bytes(32).toString("hex")}&auth_signature=${random.bytes(32).toString("hex")}`,
    ]);
    return { ...valid, head: String(valid.head).replace(/auth_signature=[0-9a-f]+/, `auth_signature=${forged}`) };
  },
  "replayed-timestamp": (server: ServerInfo, random: Random): HostileRequest => {
    const now = Math.floor(Date.now() / 1000);
    const timestamp = random.pick([now - WINDOW_SECONDS - 1, now - 86_400, now + WINDOW_SECONDS + 1, 0, -1, 1e12]);
    return signedPost(server, "/events", validTrigger(), "replayed-timestamp", { timestamp });
  },
  "auth-params": (server: ServerInfo, random: Random): HostileRequest => {
    const valid = signedPost(server, "/events", validTrigger(), "auth-params");
    const broken = random.pick([
      (target: string) => target.replace(/auth_key=[^&]+/, "auth_key=not-the-key"),
      (target: string) => target.replace("auth_version=1.0", "auth_version=2.0"),
      (target: string) => target.replace(/auth_timestamp=\d+/, "auth_timestamp=abc"),
      (target: string) => target.replace(/auth_timestamp=\d+&?/, ""),
      (target: string) => target.replace(/body_md5=[0-9a-f]+/, `body_md5=${"f".repeat(32)}`),
      (target: string) => target.replace(/body_md5=[0-9a-f]+&?/, ""),
      (target: string) => `${target}&auth_key=${server.key}`,
      (target: string) => target.replace("auth_key", "AUTH_KEY"),
      (target: string) => `${target}&${"x".repeat(random.int(1000, 20_000))}=1`,
    ]);
    const target = String(valid.head).replace(/ (\S+) HTTP\/1\.1/, (_, url: string) => ` ${broken(url)} HTTP/1.1`);
    return { ...valid, head: target };
  },
  "declared-body": (server: ServerInfo, random: Random): HostileRequest => {
    const length = random.pick(["99999999999", "1073741824", "-1", "abc", "1e9", String(2 ** 53), " 5", "0x10"]);
    const path = random.pick([`/apps/${server.appId}/events`, `/apps/${server.appId}/batch_events`, "/health"]);
    return { category: "declared-body", head: head(server, "POST", path, { "Content-Length": length }) };
  },
  "streamed-body": (server: ServerInfo, random: Random): HostileRequest => ({
    category: "streamed-body",
    head: head(server, "POST", `/apps/${server.appId}/events`, {
      "Content-Type": "application/json",
      "Transfer-Encoding": "chunked",
    }),
    chunkedBytes: random.int(1, 8) * 1024 * 1024,
  }),
  "malformed-json": (server: ServerInfo, random: Random): HostileRequest => {
    const depth = random.int(10, 50_000);
    const body = random.pick([
      Buffer.from("not json"),
      Buffer.from("{"),
      Buffer.from("[]"),
      Buffer.from("null"),
      Buffer.from('"x"'),
      Buffer.from(`${"[".repeat(depth)}${"]".repeat(depth)}`),
      Buffer.from('{"name":"a","name":"b","channel":"soak-rest-target","data":"{}"}'),
      Buffer.from([0xef, 0xbb, 0xbf, ...validTrigger()]),
      Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
      random.bytes(random.int(1, 3000)),
      Buffer.from(`{"name":"x","channel":"soak-rest-target","data":"{}","n":1${"0".repeat(400)}}`),
    ]);
    return signedPost(server, random.pick(["/events", "/batch_events"]), body, "malformed-json");
  },
  "wrong-types": (server: ServerInfo, random: Random): HostileRequest => {
    const event: Record<string, unknown> = {
      name: TARGET_EVENT,
      channel: TARGET_CHANNEL,
      channels: [TARGET_CHANNEL],
      data: "{}",
      socket_id: "1.2",
      info: "subscription_count",
    };
    const field = random.pick(Object.keys(event));
    event[field] = random.pick(WRONG_VALUES);
    const batch = random.chance(0.3);
    const body = batch ? { batch: random.chance(0.5) ? [event] : random.pick(WRONG_VALUES) } : event;
    return signedPost(server, batch ? "/batch_events" : "/events", Buffer.from(JSON.stringify(body)), "wrong-types");
  },
  "over-limits": (server: ServerInfo, random: Random): HostileRequest => {
    const many = (count: number) => Array.from({ length: count }, (_, index) => `soak-rest-${index}`);
    const body = random.pick([
      { name: TARGET_EVENT, channels: many(101), data: "{}" },
      { name: TARGET_EVENT, channel: TARGET_CHANNEL, data: "x".repeat(10 * 1024 + 1) },
      { name: "e".repeat(201), channel: TARGET_CHANNEL, data: "{}" },
      { name: "pusher:subscription_succeeded", channel: TARGET_CHANNEL, data: "{}" },
      { name: TARGET_EVENT, channel: "c".repeat(165), data: "{}" },
      { name: TARGET_EVENT, channels: ["private-encrypted-a", "private-encrypted-b"], data: "{}" },
      { batch: Array.from({ length: 11 }, () => ({ name: TARGET_EVENT, channel: TARGET_CHANNEL, data: "{}" })) },
      { name: TARGET_EVENT, channel: "__proto__", data: "{}", info: "__proto__,constructor" },
      { __proto__: { channel: TARGET_CHANNEL }, name: TARGET_EVENT, data: "{}" },
    ]);
    const endpoint = "batch" in body ? "/batch_events" : "/events";
    return signedPost(server, endpoint, Buffer.from(JSON.stringify(body)), "over-limits");
  },
  "content-type": (server: ServerInfo, random: Random): HostileRequest => {
    const contentType = random.pick([
      "text/plain",
      "multipart/form-data; boundary=x",
      "application/x-www-form-urlencoded",
      "application/json; charset=utf-16",
      "",
      "\u0001",
      "a".repeat(4000),
    ]);
    return signedPost(server, "/events", validTrigger(), "content-type", { contentType });
  },
  "path-tricks": (server: ServerInfo, random: Random): HostileRequest => {
    const id = server.appId;
    const path = random.pick([
      `/apps/${id}/../${id}/events`,
      `/apps/${id}/./events`,
      `//apps/${id}/events`,
      `/apps/${id}//events`,
      `/apps/%2e%2e/${id}/events`,
      `/apps/${id}/channels/%2F`,
      `/apps/${id}/channels/..%2f..%2fetc`,
      `/apps/${id}/channels/%`,
      `/apps/${id}/channels/%zz`,
      `/apps/${id}/channels/%00`,
      `/apps/${id}/channels/%ff%fe`,
      `/apps/${id}/channels/${"a".repeat(random.int(200, 20_000))}`,
      `/apps/${id}/channels/__proto__`,
      `/apps/${id}/channels/presence-x/users/extra`,
      `/apps/${id}/users/%ff/terminate_connections`,
      `/apps/${id}/users/${"u".repeat(200)}/terminate_connections`,
      `/apps/__proto__/events`,
      `/apps/constructor/channels`,
      `/apps/${id}/channels?filter_by_prefix=__proto__&info=user_count`,
      `/apps/${id}/channels?info=%zz`,
      "/apps",
      "/apps/",
      "/app/",
      `/app/${server.key}`,
      "/metrics",
      "/health/..",
      `/%61pps/${id}/events`,
      "/ünïcode",
      "*",
      `http://${server.host}:${server.port}/apps/${id}/channels`,
    ]);
    const method = random.pick(["GET", "POST"]);
    // Signed over the tricky path itself, so the checks past the signature are reached too.
    if (random.chance(0.5) && path.startsWith("/")) {
      const [bare = path, query] = path.split("?");
      const signed = signedQuery(method, bare, "", { signer: server });
      return { category: "path-tricks", head: head(server, method, `${bare}?${query ? `${query}&` : ""}${signed}`) };
    }
    return { category: "path-tricks", head: head(server, method, path) };
  },
  "wrong-method": (server: ServerInfo, random: Random): HostileRequest => {
    const method = random.pick(["PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "PROPFIND", "get", "GET "]);
    const path = random.pick([`/apps/${server.appId}/events`, `/apps/${server.appId}/channels`, "/health"]);
    return { category: "wrong-method", head: head(server, method, path) };
  },
  "valid-reads": (server: ServerInfo, random: Random): HostileRequest =>
    signedGet(
      server,
      random.pick([
        `/apps/${server.appId}/channels`,
        `/apps/${server.appId}/channels/${TARGET_CHANNEL}`,
        `/apps/${server.appId}/channels/presence-nobody/users`,
        `/apps/${server.appId}/stats`,
      ]),
      "valid-reads",
    ),
  fuzz: (server: ServerInfo, random: Random): HostileRequest => {
    const base = signedPost(server, "/events", validTrigger(), "fuzz");
    const whole = Buffer.concat([Buffer.from(base.head), base.body ?? Buffer.alloc(0)]);
    for (let flips = random.int(1, 8); flips > 0; flips--) whole[random.int(0, whole.length - 1)] = random.int(0, 255);
    // Sent as one head with no separate body: whatever the mutation made of the framing is the test.
    return { category: "fuzz", head: whole };
  },
} as const;

export type RequestCategory = keyof typeof REQUESTS;
export const REQUEST_CATEGORIES = Object.keys(REQUESTS) as RequestCategory[];

export function nextRequest(server: ServerInfo, random: Random): HostileRequest {
  const category = random.pick(REQUEST_CATEGORIES);
  return REQUESTS[category](server, random);
}
