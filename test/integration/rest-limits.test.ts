import { describe, expect, it } from "vitest";
import { appRest, appTrigger } from "./support/app-rest";
import { connectApp, subscribeApp } from "./support/app-sockets";
import { APP_A, APP_B, DEFAULT_APP, DISABLED_APP, LIMITED_APP, LIMITED_OPS_APP, type TestApp } from "./support/apps";
import { unique } from "./support/channels";
import type { TestSocket } from "./support/socket";

async function subscribed(app: TestApp, channel: string): Promise<TestSocket> {
  const socket = await connectApp(app.key);
  await subscribeApp(socket, app, channel);
  return socket;
}

/** Counts by status; the tests count what was refused, they never time anything. */
function tally(statuses: number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

/**
 * A burst against a per-second limit: every answer is 200 or 429, one window
 * allows `limit` (a burst straddling a window edge may get a second window's
 * too), and a refusal says why and when to retry.
 */
function expectLimited(
  responses: ReadonlyArray<{ status: number; text: string; headers: Headers }>,
  limit: number,
  refusal: string,
): void {
  const counts = tally(responses.map((r) => r.status));
  expect((counts[200] ?? 0) + (counts[429] ?? 0)).toBe(responses.length);
  expect(counts[200]).toBeGreaterThanOrEqual(limit);
  expect(counts[200]).toBeLessThanOrEqual(2 * limit);
  const refused = responses.find((r) => r.status === 429);
  expect(refused?.text).toBe(`Rate limit reached: this app allows ${refusal}. Slow down and retry.\n`);
  expect(refused?.headers.get("Retry-After")).toBe("1");
}

describe("REST rate limits", () => {
  it("answers 429 with a clear body when one request alone exceeds max_backend_events_per_sec", async () => {
    const channels = Array.from({ length: 5 }, (_, index) => unique(`limited-${index}-`));
    const listener = await subscribed(LIMITED_APP, channels[0] ?? "");
    const response = await appTrigger(LIMITED_APP, channels, "too-wide", "{}");
    expect(response.status).toBe(429);
    expect(response.text).toBe(
      "Rate limit reached: this app allows 3 backend events per second (this request alone counts 5). Slow down and retry.\n",
    );
    await listener.expectSilence();
  });

  it("refuses backend events over the limit and delivers only those allowed, leaving other apps alone", async () => {
    const channel = unique("limited-burst-");
    const listener = await subscribed(LIMITED_APP, channel);
    const statuses = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        appTrigger(LIMITED_APP, [channel], "burst", String(index)).then((r) => r.status),
      ),
    );
    const counts = tally(statuses);
    const allowed = counts[200] ?? 0;
    expect(allowed + (counts[429] ?? 0)).toBe(8);
    // One window allows 3; a burst straddling a window edge may get a second window's 3.
    expect(allowed).toBeGreaterThanOrEqual(3);
    expect(allowed).toBeLessThanOrEqual(6);
    for (let i = 0; i < allowed; i++) expect((await listener.nextEvent("burst")).channel).toBe(channel);
    await listener.expectSilence();
    // The default app has no limit and is not slowed by this one's.
    expect((await appTrigger(DEFAULT_APP, [unique("free-")], "free", "{}")).status).toBe(200);
  });

  it("refuses read requests over max_read_requests_per_sec with 429", async () => {
    const responses = await Promise.all(Array.from({ length: 6 }, () => appRest(LIMITED_APP, "GET", "/channels")));
    expectLimited(responses, 2, "2 read requests per second");
  });

  it("counts terminate_connections as one backend event each, and answers the rest 429 with Retry-After", async () => {
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        appRest(LIMITED_OPS_APP, "POST", `/users/${unique(`gone-${index}-`)}/terminate_connections`, { body: {} }),
      ),
    );
    expectLimited(responses, 3, "3 backend events per second");
    // The default app has no limit: its terminate calls are not slowed by this one's.
    const other = await appRest(DEFAULT_APP, "POST", `/users/${unique("free-")}/terminate_connections`, { body: {} });
    expect(other).toMatchObject({ status: 200, text: "{}" });
  });

  it("counts the signed /stats and /metrics as read requests", async () => {
    const paths = ["/stats", "/metrics", "/stats", "/metrics", "/stats", "/metrics"];
    const responses = await Promise.all(paths.map((path) => appRest(LIMITED_OPS_APP, "GET", path)));
    expectLimited(responses, 2, "2 read requests per second");
    // Another app's statistics are read as usual.
    const other = await appRest(APP_A, "GET", "/stats");
    expect(other.status).toBe(200);
    expect(JSON.parse(other.text)).toMatchObject({ app_id: APP_A.id });
  });

  it("answers 403 for a disabled app, even correctly signed", async () => {
    const response = await appTrigger(DISABLED_APP, [unique("off-")], "nope", "{}");
    expect(response).toMatchObject({ status: 403, text: "App is disabled\n" });
  });
});

describe("REST isolation between apps", () => {
  it("refuses one app's credentials on another app's path", async () => {
    const trigger = await appTrigger(APP_B, [unique("x-")], "forged", "{}", { signer: APP_A });
    expect(trigger.status).toBe(401);
    const read = await appRest(APP_B, "GET", "/channels", { signer: APP_A });
    expect(read.status).toBe(401);
  });

  it("delivers a trigger only to its own app's subscribers of a same-named channel", async () => {
    const channel = unique("same-name-");
    const a = await subscribed(APP_A, channel);
    const b = await subscribed(APP_B, channel);
    expect((await appTrigger(APP_A, [channel], "for-a", '"hello"')).status).toBe(200);
    expect(await a.nextEvent("for-a")).toEqual({ event: "for-a", channel, data: '"hello"' });
    await b.expectSilence();
  });

  it("lists only its own app's channels", async () => {
    const channel = unique("only-b-");
    await subscribed(APP_B, channel);
    const ofA = await appRest(APP_A, "GET", "/channels", { params: { filter_by_prefix: "only-b" } });
    expect(ofA.status).toBe(200);
    expect(JSON.parse(ofA.text)).toEqual({ channels: {} });
    const ofB = await appRest(APP_B, "GET", "/channels", { params: { filter_by_prefix: "only-b" } });
    expect(JSON.parse(ofB.text)).toEqual({ channels: { [channel]: {} } });
  });
});
