import { runInDurableObject } from "cloudflare:test";
import { vi } from "vitest";
import { WebhookOutbox } from "../../../src/beacon/state/webhook-outbox";
import { webhookHolders } from "./objects";

const WEBHOOK_ORIGIN = "http://webhooks.test";
export const ALL_EVENTS_URL = `${WEBHOOK_ORIGIN}/all`;
export const COUNTS_URL = `${WEBHOOK_ORIGIN}/counts`;
export const PRESENCE_VACATED_URL = `${WEBHOOK_ORIGIN}/presence-vacated`;

export interface WireEvent {
  name: string;
  channel: string;
  [field: string]: unknown;
}

export interface Delivery {
  url: string;
  /** Lower-case names; copied, since the Beacon's own Headers object cannot leave its context. */
  headers: Record<string, string>;
  body: string;
  events: WireEvent[];
  /** The status the recorder answered with (0: none); only 2xx deliveries count as received. */
  status: number;
  /** When the request reached the recorder. */
  at: number;
}

const POLL_MS = 20;

type Answer = "ok" | "fail" | "hang";

/**
 * Stands in for webhook endpoints: the Beacon runs in the test's isolate,
 * so its outgoing `fetch` to webhooks.test lands here. Answers follow a
 * script (then 200), and every request is recorded.
 */
export class WebhookRecorder {
  readonly deliveries: Delivery[] = [];
  private readonly scripts = new Map<string, Answer[]>();
  private readonly held = new Map<string, "fail" | "hang">();

  install(): () => void {
    const original = globalThis.fetch;
    const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      if (!request.url.startsWith(WEBHOOK_ORIGIN)) return original(input, init);
      return this.answer(request);
    });
    return () => spy.mockRestore();
  }

  /**
   * The next requests to `url` carrying an event on `channel` fail (HTTP 500) or never
   * answer, in this order; later ones get 200. Keyed by channel, so webhooks
   * left over from other tests never use up the script.
   */
  answerNext(url: string, channel: string, ...answers: Answer[]): void {
    const key = `${url} ${channel}`;
    this.scripts.set(key, [...(this.scripts.get(key) ?? []), ...answers]);
  }

  /** Every request to `url` about `channel` fails until the returned function is called. */
  failUntilReleased(url: string, channel: string): () => void {
    return this.holdUntilReleased(url, channel, "fail");
  }

  /**
   * Every request to `url` about `channel` gets `answer` until the returned
   * function is called, or until it is called again with another answer.
   * A request already left hanging stays so: only the sender's time-out ends it.
   */
  holdUntilReleased(url: string, channel: string, answer: "fail" | "hang"): () => void {
    const key = `${url} ${channel}`;
    this.held.set(key, answer);
    return () => {
      if (this.held.get(key) === answer) this.held.delete(key);
    };
  }

  /** Every request (any status) to `url` that carried an event on `channel`. */
  requests(url: string, channel: string): Delivery[] {
    return this.deliveries.filter(
      (delivery) => delivery.url === url && delivery.events.some((event) => event.channel === channel),
    );
  }

  /** Waits until `url` has been sent `count` requests about `channel`, whatever the answers. */
  async waitForRequests(url: string, channel: string, count: number, timeoutMs = 8000): Promise<Delivery[]> {
    return poll(timeoutMs, `${count} webhook requests about ${channel}`, () => {
      const requests = this.requests(url, channel);
      return requests.length >= count ? requests : undefined;
    });
  }

  /** Events received (2xx) by `url` on `channel`. */
  received(url: string, channel: string): WireEvent[] {
    return this.deliveries
      .filter((delivery) => delivery.url === url && delivery.status === 200)
      .flatMap((delivery) => delivery.events.filter((event) => event.channel === channel));
  }

  /** Waits until `url` has received `count` events on `channel`, then returns them. */
  async waitFor(url: string, channel: string, count: number, timeoutMs = 8000): Promise<WireEvent[]> {
    return poll(timeoutMs, `${count} webhook events on ${channel}`, () => {
      const events = this.received(url, channel);
      return events.length >= count ? events : undefined;
    });
  }

  private async answer(request: Request): Promise<Response> {
    const body = await request.text();
    const events = parseEvents(body);
    const keys = events.map((event) => `${request.url} ${event.channel}`);
    const script = keys.map((key) => this.scripts.get(key)).find((answers) => answers?.length);
    const held = keys.map((key) => this.held.get(key)).find((answer) => answer !== undefined);
    const answer = held ?? script?.shift() ?? "ok";
    const headers = Object.fromEntries(request.headers);
    if (answer === "hang") {
      this.deliveries.push({ url: request.url, headers, body, events, status: 0, at: Date.now() });
      // Never answers; only the sender's own time-out ends the request.
      return new Promise<Response>((_, reject) => {
        request.signal.addEventListener("abort", () => reject(request.signal.reason));
      });
    }
    const status = answer === "ok" ? 200 : 500;
    this.deliveries.push({ url: request.url, headers, body, events, status, at: Date.now() });
    return new Response(answer === "ok" ? "ok" : "failed", { status });
  }
}

function parseEvents(body: string): WireEvent[] {
  const parsed: unknown = JSON.parse(body);
  if (typeof parsed !== "object" || parsed === null || !("events" in parsed) || !Array.isArray(parsed.events)) {
    throw new Error(`webhook body without an events list: ${body}`);
  }
  return parsed.events;
}

/**
 * Polls `check` until it returns a value. Polled rather than woken: the
 * recorder runs in the Beacon's context, which may not touch the test's
 * timers or promises.
 */
export async function poll<T>(timeoutMs: number, what: string, check: () => T | undefined | Promise<T | undefined>) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * Waits until the Beacon (or a sharded app's shards and these channels'
 * hubs) has no webhook work left and no alarm set: nothing more will be sent.
 */
export async function settled(...channels: string[]): Promise<void> {
  // A wait for quiet, not a speed check: a sharded app's hundred channels are a hundred hubs, each
  // with its 3 s grace and its own delivery, and a loaded machine runs them slowly.
  await poll(30_000, "the webhook outbox to drain", async () => {
    for (const holder of webhookHolders(...channels)) {
      const idle = await runInDurableObject(holder, async (_, state) => {
        const pending = new WebhookOutbox(state.storage.sql).nextDueAt();
        return pending === undefined && (await state.storage.getAlarm()) === null;
      });
      if (!idle) return undefined;
    }
    return true;
  });
}
