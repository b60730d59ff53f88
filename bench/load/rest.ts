import { createHash, createHmac } from "node:crypto";
import { Agent, request } from "node:http";
import { BENCH_APP, type Signer } from "./app.ts";

/**
 * Signs a REST call exactly as the `pusher` SDK (pusher-http-node 5.x) does:
 * auth_key, auth_timestamp, auth_version and body_md5 sorted by key, then
 * `auth_signature` = HMAC-SHA256 of `METHOD\npath\nquery`. `timestamp`
 * (Unix seconds) is now unless given, as a replayed request carries an old one.
 * `query` holds the call's own parameters (`info`), signed with the rest.
 */
export function signedQuery(
  method: string,
  path: string,
  body: string,
  { signer = BENCH_APP, timestamp = Math.floor(Date.now() / 1000), query = {} }: SignedCall = {},
): string {
  const params: Record<string, string> = {
    ...query,
    auth_key: signer.key,
    auth_timestamp: String(timestamp),
    auth_version: "1.0",
  };
  if (body !== "") params.body_md5 = createHash("md5").update(body).digest("hex");
  const signed = Object.keys(params)
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join("&");
  const signature = createHmac("sha256", signer.secret).update(`${method}\n${path}\n${signed}`).digest("hex");
  return `${signed}&auth_signature=${signature}`;
}

export interface SignedCall {
  signer?: Signer;
  timestamp?: number;
  query?: Record<string, string>;
}

/** A signed `GET /apps/{id}{path}`, as a backend reads channels; resolves to the status. */
export async function signedGet(origin: string, path: string, query: Record<string, string> = {}): Promise<number> {
  const full = `/apps/${BENCH_APP.id}${path}`;
  const response = await fetch(`${origin}${full}?${signedQuery("GET", full, "", { query })}`);
  await response.arrayBuffer();
  return response.status;
}

/** `pusher.trigger(channels, name, data)`: the body the SDK posts. */
export function triggerBody(channels: readonly string[], name: string, data: string): string {
  return JSON.stringify({ name, data, channels });
}

/** `pusher.triggerBatch(events)`: the body the SDK posts to `/batch_events`. */
export function batchBody(events: ReadonlyArray<{ channel: string; name: string; data: string }>): string {
  return JSON.stringify({ batch: events });
}

/**
 * A keep-alive HTTP client for `POST /apps/{id}/events` and `/batch_events`.
 * Each lane is one connection that waits for a response before the next
 * trigger, so events of one lane must reach subscribers in order.
 */
export class Publisher {
  private readonly agent: Agent;
  private readonly url: URL;
  private readonly path = `/apps/${BENCH_APP.id}`;
  requests = 0;
  failures = 0;

  constructor(origin: string, lanes: number) {
    this.url = new URL(origin);
    this.agent = new Agent({ keepAlive: true, maxSockets: lanes });
  }

  trigger(channels: readonly string[], name: string, data: string): Promise<void> {
    return this.post("/events", triggerBody(channels, name, data));
  }

  /** One event to each channel, in one `/batch_events` call. */
  batch(channels: readonly string[], name: string, data: string): Promise<void> {
    return this.post("/batch_events", batchBody(channels.map((channel) => ({ channel, name, data }))));
  }

  private post(endpoint: string, body: string): Promise<void> {
    const path = `${this.path}${endpoint}`;
    this.requests++;
    return new Promise((resolve) => {
      const call = request(
        {
          agent: this.agent,
          host: this.url.hostname,
          port: this.url.port,
          method: "POST",
          path: `${path}?${signedQuery("POST", path, body)}`,
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
            "x-pusher-library": "pusher-http-node 5.3.4",
          },
        },
        (response) => {
          if (response.statusCode !== 200) this.failures++;
          response.resume();
          response.on("end", resolve);
        },
      );
      call.on("error", () => {
        this.failures++;
        resolve();
      });
      call.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
