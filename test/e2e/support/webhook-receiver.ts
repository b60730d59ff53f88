import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** The status answered; 0 when the request was left hanging. */
  status: number;
  /** Date.now() when the request had arrived in full. */
  at: number;
}

export type Answer = "fail" | "hang";

/**
 * A webhook endpoint on 127.0.0.1 for `wrangler dev` to post to. It records
 * every request and answers 200, unless a script for a channel says to fail
 * (HTTP 500) or to never answer.
 */
export class WebhookReceiver {
  readonly requests: ReceivedWebhook[] = [];
  /** While set, every request gets this answer, whatever the scripts say: the whole endpoint is down. */
  outage: Answer | undefined;
  private readonly scripts = new Map<string, Answer[]>();
  private readonly hanging = new Set<ServerResponse>();
  private listeners: Array<() => void> = [];
  private readonly server = createServer((request, response) => {
    let rawBody = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => {
      rawBody += chunk;
    });
    request.on("end", () => this.answer(request.url ?? "/", request.headers, rawBody, response));
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** The next requests to `path` about `channel` fail or hang, in order; later ones get 200. */
  answerNext(path: string, channel: string, ...answers: Answer[]): void {
    const key = `${path} ${channel}`;
    this.scripts.set(key, [...(this.scripts.get(key) ?? []), ...answers]);
  }

  /** Requests to `path` carrying at least one event on `channel`. */
  about(path: string, channel: string): ReceivedWebhook[] {
    return this.requests.filter(
      (request) => request.path === path && eventsOf(request).some((e) => e.channel === channel),
    );
  }

  /** Events on `channel` that `path` accepted (answered 200). */
  received(path: string, channel: string): Array<Record<string, unknown>> {
    return this.requests
      .filter((request) => request.path === path && request.status === 200)
      .flatMap((request) => eventsOf(request).filter((event) => event.channel === channel));
  }

  /** Resolves once `path` has accepted `count` events on `channel`; fails after `timeoutMs`. */
  waitFor(path: string, channel: string, count: number, timeoutMs = 10_000): Promise<Array<Record<string, unknown>>> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const events = this.received(path, channel);
        if (events.length < count) return false;
        clearTimeout(timer);
        this.listeners = this.listeners.filter((listener) => listener !== check);
        resolve(events);
        return true;
      };
      const timer = setTimeout(() => {
        this.listeners = this.listeners.filter((listener) => listener !== check);
        reject(
          new Error(
            `timed out waiting for ${count} webhook events on ${channel}: ${JSON.stringify(this.received(path, channel))}`,
          ),
        );
      }, timeoutMs);
      if (!check()) this.listeners.push(check);
    });
  }

  private answer(path: string, headers: IncomingHttpHeaders, rawBody: string, response: ServerResponse): void {
    const record: ReceivedWebhook = { path, headers, rawBody, status: 0, at: Date.now() };
    const answer = this.outage ?? this.scripted(path, record);
    if (answer === "hang") {
      this.requests.push(record);
      this.hanging.add(response);
      return;
    }
    record.status = answer === "fail" ? 500 : 200;
    this.requests.push(record);
    response.writeHead(record.status).end();
    for (const listener of [...this.listeners]) listener();
  }

  private scripted(path: string, record: ReceivedWebhook): Answer | undefined {
    const channels = eventsOf(record).map((event) => event.channel);
    const script = channels
      .map((channel) => this.scripts.get(`${path} ${String(channel)}`))
      .find((answers) => answers?.length);
    return script?.shift();
  }
}

export function eventsOf(request: Pick<ReceivedWebhook, "rawBody">): Array<Record<string, unknown>> {
  try {
    const body: unknown = JSON.parse(request.rawBody);
    if (typeof body === "object" && body !== null && "events" in body && Array.isArray(body.events)) return body.events;
  } catch {
    // Not JSON: no events, and the signature check in the test fails it.
  }
  return [];
}
