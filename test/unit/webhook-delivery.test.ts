import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { WebhookDrops } from "../../src/beacon/state/webhook-drops";
import { WebhookOutbox } from "../../src/beacon/state/webhook-outbox";
import { deliverDue } from "../../src/beacon/webhooks/delivery";
import { DELIVERY } from "../../src/beacon/webhooks/delivery-policy";
import { WEBHOOK_BATCH_WINDOW_MS, WebhookQueue } from "../../src/beacon/webhooks/queue";
import type { App } from "../../src/config/app";
import { DEFAULT_LIMITS } from "../../src/config/app";
import { sqliteStorage } from "./support/sqlite-storage";

/**
 * The draining policy over the real outbox SQL (Node's SQLite) and a
 * scripted endpoint, on a fake clock: each request moves the clock by its
 * duration, a hanging one by the time-out, and the "alarm" fires at the
 * outbox's next due time, as the Beacon's alarm clock sets it.
 */

const URL = "https://backend.test/pusher/webhooks";
const T0 = Date.UTC(2026, 0, 1);
/** A local endpoint's time per request of 100 events, from the measurements in docs/protocol.md §13.6. */
const REQUEST_MS = 20;

type Answer = "ok" | "fail" | "hang";

const app: App = {
  id: "app",
  key: "key",
  secret: "secret-0123456789abcdef",
  keys: [{ key: "key", secret: "secret-0123456789abcdef", retired: false }],
  enabled: true,
  enableClientMessages: true,
  enableUserAuthentication: false,
  userAuthenticationTimeoutMs: 30_000,
  subscriptionCountEvents: false,
  allowedOrigins: [],
  webhooks: [{ url: URL, eventTypes: ["channel_occupied"], filter: {}, headers: {} }],
  limits: DEFAULT_LIMITS,
  audit: true,
};

interface Request {
  startedAt: number;
  channels: string[];
  answer: Answer;
}

/** An endpoint whose answer depends on when a request starts; a request left hanging stays so. */
class ScriptedEndpoint {
  readonly requests: Request[] = [];

  constructor(
    private readonly answerAt: (startedAt: number) => Answer,
    private readonly requestMs = REQUEST_MS,
  ) {}

  readonly fetch = async (_input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const startedAt = Date.now();
    const body: unknown = JSON.parse(String(init?.body));
    const channels = isBody(body) ? body.events.map((event) => event.channel) : [];
    const answer = this.answerAt(startedAt);
    this.requests.push({ startedAt, channels, answer });
    if (answer === "hang") {
      vi.setSystemTime(startedAt + DELIVERY.timeoutMs);
      throw new DOMException("The operation was aborted due to timeout", "TimeoutError");
    }
    vi.setSystemTime(startedAt + this.requestMs);
    return new Response(null, { status: answer === "ok" ? 200 : 500 });
  };

  /** Channels of the events the endpoint accepted, in the order it accepted them. */
  accepted(): string[] {
    return this.requests.filter((request) => request.answer === "ok").flatMap((request) => request.channels);
  }

  /** When the last accepted request ended. */
  lastAcceptedAt(): number {
    const last = this.requests.filter((request) => request.answer === "ok").at(-1);
    return last === undefined ? Number.NaN : last.startedAt + this.requestMs;
  }
}

function isBody(body: unknown): body is { events: Array<{ channel: string }> } {
  return typeof body === "object" && body !== null && "events" in body && Array.isArray(body.events);
}

let outbox: WebhookOutbox;
let drops: WebhookDrops;
let counted: Record<string, number>;
let logged: Array<{ level: string; message: string; [field: string]: unknown }>;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"], now: T0 });
  outbox = new WebhookOutbox(sqliteStorage());
  drops = new WebhookDrops();
  counted = {};
  logged = [];
  for (const level of ["error", "warn", "log"] as const) {
    vi.spyOn(console, level).mockImplementation((line: unknown) => {
      logged.push(JSON.parse(String(line)));
    });
  }
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

function use(endpoint: ScriptedEndpoint): ScriptedEndpoint {
  vi.stubGlobal("fetch", endpoint.fetch);
  return endpoint;
}

/** Queues events on channels `${prefix}0`, `${prefix}1`, ... now, due after the batch window as the queue does. */
function queue(count: number, prefix = "c"): string[] {
  const now = Date.now();
  const channels = Array.from({ length: count }, (_, index) => `${prefix}${index}`);
  for (const channel of channels) outbox.add(URL, JSON.stringify({ name: "channel_occupied", channel }), now, now + 50);
  return channels;
}

function alarm(): Promise<void> {
  return deliverDue({
    app,
    outbox,
    drops,
    attempted: () => {},
    meter: { countWebhook: (outcome, events = 1) => (counted[outcome] = (counted[outcome] ?? 0) + events) },
  });
}

/**
 * Fires the alarm at each next due time until `until`; `created` are events
 * that happen on the way, queued at their time (between alarms, as sockets
 * would queue them while the alarm waits on a request).
 */
async function runAlarms(until: number, created: Array<{ at: number; prefix: string }> = []): Promise<number> {
  let alarms = 0;
  const pending = [...created];
  for (;;) {
    const due = outbox.nextDueAt();
    const next = pending[0];
    if (next !== undefined && (due === undefined || next.at <= due) && next.at <= until) {
      if (next.at > Date.now()) vi.setSystemTime(next.at);
      queue(1, next.prefix);
      pending.shift();
      continue;
    }
    if (due === undefined || due > until) return alarms;
    if (due > Date.now()) vi.setSystemTime(due);
    await alarm();
    alarms++;
    if (alarms > 10_000) throw new Error("the alarm never settles");
  }
}

describe("retry timing", () => {
  it("backs off 1 s, 2 s, 4 s, then retries every 5 s, counted from each attempt's start", async () => {
    const endpoint = use(new ScriptedEndpoint(() => "fail"));
    queue(1);
    await runAlarms(T0 + 30_000);
    expect(endpoint.requests.map((request) => request.startedAt - T0 - 50)).toEqual([
      0, 1000, 3000, 7000, 12_000, 17_000, 22_000, 27_000,
    ]);
  });

  it("retries a hanging endpoint the moment its request gives up", async () => {
    const endpoint = use(new ScriptedEndpoint(() => "hang"));
    queue(1);
    await runAlarms(T0 + 30_000);
    expect(endpoint.requests.map((request) => request.startedAt - T0 - 50)).toEqual([
      0, 5000, 10_000, 15_000, 20_000, 25_000,
    ]);
  });
});

describe("after an outage", () => {
  it("delivers everything queued within 15 s of recovery, in order and once, whenever the recovery falls", async () => {
    const failFor = 40_000;
    const hangFor = 40_000;
    const worst: number[] = [];
    // Recovery moments a quarter of a second apart across one whole retry period.
    for (let offset = 0; offset <= DELIVERY.maxRetryMs; offset += 250) {
      vi.setSystemTime(T0);
      outbox = new WebhookOutbox(sqliteStorage());
      const recoveredAt = T0 + failFor + hangFor + offset;
      const endpoint = use(
        new ScriptedEndpoint((at) => (at >= recoveredAt ? "ok" : at < T0 + failFor ? "fail" : "hang")),
      );
      const backlog = queue(1000, "before-");
      const during = Array.from({ length: 20 }, (_, index) => ({
        at: T0 + index * 4000 + 7,
        prefix: `during-${index}-`,
      }));
      const after = { at: recoveredAt + 1, prefix: "after-" };
      await runAlarms(recoveredAt + 60_000, [...during, after]);

      expect(endpoint.accepted()).toEqual([...backlog, ...during.map((event) => `${event.prefix}0`), "after-0"]);
      worst.push(endpoint.lastAcceptedAt() - recoveredAt);
      expect(outbox.nextDueAt()).toBeUndefined();
    }
    // First attempt within max(back-off cap, time-out) of recovery, then 11 requests back to back.
    const bound = Math.max(DELIVERY.maxRetryMs, DELIVERY.timeoutMs) + 50 + 11 * REQUEST_MS;
    expect(Math.max(...worst)).toBeLessThanOrEqual(bound);
    expect(Math.max(...worst)).toBeLessThan(15_000);
    // The bound is reached: some recovery moment really waits for a whole retry period.
    expect(Math.max(...worst)).toBeGreaterThan(DELIVERY.maxRetryMs - 250);
  });

  it("drains a backlog request after request in one alarm, stopping after the alarm's time so other work runs", async () => {
    const endpoint = use(new ScriptedEndpoint(() => "ok", 50));
    queue(5000);
    vi.setSystemTime(T0 + 50);
    await alarm();
    // 2 s of 50 ms requests, then the alarm ends with the rest due at once.
    expect(endpoint.requests).toHaveLength(DELIVERY.maxAlarmMs / 50);
    expect(outbox.nextDueAt()).toBeLessThanOrEqual(Date.now());
    await alarm();
    expect(endpoint.accepted()).toHaveLength(5000);
    expect(counted).toEqual({ delivered: 5000 });
  });

  it("stops an endpoint's drain at its first failure and retries the rest in order", async () => {
    let answered = 0;
    const endpoint = use(new ScriptedEndpoint(() => (++answered === 3 ? "fail" : "ok")));
    const channels = queue(500);
    vi.setSystemTime(T0 + 50);
    await alarm();
    expect(endpoint.requests.map((request) => request.answer)).toEqual(["ok", "ok", "fail"]);
    await runAlarms(T0 + 10_000);
    expect(endpoint.accepted()).toEqual(channels);
    expect(counted).toEqual({ delivered: 500, retrying: 100 });
  });
});

describe("what is kept", () => {
  it("keeps the newest events up to the backlog bound, and logs a run of drops when it starts and when it ends", async () => {
    let recovered = false;
    const endpoint = use(new ScriptedEndpoint(() => (recovered ? "ok" : "fail")));
    queue(DELIVERY.maxBacklog + 250, "first-");
    await runAlarms(T0 + 2000);
    const more = queue(100, "second-");
    await runAlarms(T0 + 5000);
    expect(counted.failed).toBe(350);
    recovered = true;
    await runAlarms(T0 + 60_000);

    const kept = endpoint.accepted();
    expect(kept).toHaveLength(DELIVERY.maxBacklog);
    expect(kept.slice(0, 2)).toEqual(["first-350", "first-351"]);
    expect(kept.slice(-100)).toEqual(more);
    const drops = logged.filter((line) => line.message.includes("dropped"));
    expect(drops).toEqual([
      expect.objectContaining({ level: "error", dropped: 250, maxBacklog: DELIVERY.maxBacklog }),
      expect.objectContaining({
        level: "warn",
        message: "webhook backlog delivered; events were dropped before it",
        dropped: 350,
      }),
    ]);
  });

  it("gives up events past the age limit only after the minimum attempts", async () => {
    const endpoint = use(new ScriptedEndpoint(() => "fail"));
    const createdAt = T0 - DELIVERY.maxAgeMs - 1;
    outbox.add(URL, JSON.stringify({ name: "channel_occupied", channel: "old" }), createdAt, createdAt);
    await runAlarms(T0 + 60_000);
    expect(endpoint.requests).toHaveLength(DELIVERY.minAttempts);
    expect(outbox.nextDueAt()).toBeUndefined();
    expect(counted).toEqual({ retrying: DELIVERY.minAttempts - 1, failed: 1 });
    expect(logged.filter((line) => line.level === "error")).toEqual([
      expect.objectContaining({ message: "webhook delivery abandoned after retrying too long", dropped: 1 }),
    ]);
  });

  it("logs failures at attempts 1, 2, 4, 8, ... and the recovery once", async () => {
    let answered = 0;
    use(new ScriptedEndpoint(() => (++answered <= 20 ? "fail" : "ok")));
    queue(1);
    await runAlarms(T0 + 10 * 60_000);
    expect(logged.map((line) => [line.message, line.attempt])).toEqual([
      ...[1, 2, 4, 8, 16].map((attempt) => ["webhook delivery failed; will retry", attempt]),
      ["webhook endpoint answers again; sending its backlog", 21],
    ]);
  });
});

describe("an event queued while its endpoint backs off", () => {
  const queued = () => {
    const scheduled: Array<number | undefined> = [];
    const webhooks = new WebhookQueue(
      app,
      outbox,
      (dueAt) => scheduled.push(dueAt),
      () => undefined,
    );
    webhooks.queue({ name: "channel_occupied", channel: "late" });
    return scheduled;
  };

  it("is due at the endpoint's retry, the time the alarm is already set to, so queueing it scans no backlog", async () => {
    use(new ScriptedEndpoint(() => "fail"));
    queue(3);
    vi.setSystemTime(T0 + 50);
    await alarm();
    const retryAt = outbox.nextDueAt();
    expect(retryAt).toBe(T0 + 50 + 1000);
    expect(queued()).toEqual([retryAt]);
  });

  it("is due after the batch window when the endpoint is not backing off", () => {
    expect(queued()).toEqual([Date.now() + WEBHOOK_BATCH_WINDOW_MS]);
  });
});
