import { describe, expect, it } from "vitest";
import { DELIVERY, fitInOneRequest, retryDelayMs } from "../../src/beacon/webhooks/delivery-policy";
import { toWire } from "../../src/beacon/webhooks/events";
import { endpointWants } from "../../src/beacon/webhooks/queue";
import type { WebhookEndpoint } from "../../src/config/app";

function endpoint(overrides: Partial<WebhookEndpoint> = {}): WebhookEndpoint {
  return { url: "https://a.test/", eventTypes: ["channel_occupied"], filter: {}, headers: {}, ...overrides };
}

describe("endpoint filters", () => {
  it("match only the endpoint's event types", () => {
    expect(endpointWants(endpoint(), "channel_occupied", "room")).toBe(true);
    expect(endpointWants(endpoint(), "channel_vacated", "room")).toBe(false);
  });

  it("match channel name prefixes and suffixes, both when both are set", () => {
    const filtered = endpoint({ filter: { channelNameStartsWith: "presence-", channelNameEndsWith: "-room" } });
    expect(endpointWants(filtered, "channel_occupied", "presence-chat-room")).toBe(true);
    expect(endpointWants(filtered, "channel_occupied", "private-chat-room")).toBe(false);
    expect(endpointWants(filtered, "channel_occupied", "presence-chat-lobby")).toBe(false);
  });
});

describe("wire shapes (pusher.com/docs/webhooks)", () => {
  it("give each event Pusher's field names", () => {
    expect(toWire({ name: "channel_vacated", channel: "c" })).toEqual({ name: "channel_vacated", channel: "c" });
    expect(toWire({ name: "member_removed", channel: "presence-c", userId: "7" })).toEqual({
      name: "member_removed",
      channel: "presence-c",
      user_id: "7",
    });
    expect(toWire({ name: "cache_miss", channel: "cache-c" })).toEqual({ name: "cache_miss", channel: "cache-c" });
    expect(toWire({ name: "subscription_count", channel: "c", subscriptionCount: 3 })).toEqual({
      name: "subscription_count",
      channel: "c",
      subscription_count: 3,
    });
  });

  it("send client event data as JSON text and user_id only when known", () => {
    const base = { name: "client_event", channel: "private-c", event: "client-x", socketId: "1.2" } as const;
    expect(toWire({ ...base, data: { a: 1 } })).toEqual({
      name: "client_event",
      channel: "private-c",
      event: "client-x",
      data: '{"a":1}',
      socket_id: "1.2",
    });
    expect(toWire({ ...base, data: "already text", userId: "u" })).toMatchObject({
      data: "already text",
      user_id: "u",
    });
  });
});

describe("delivery limits", () => {
  it("back off exponentially from one second to a five-second cap", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 12, 1000].map(retryDelayMs)).toEqual([
      1000, 2000, 4000, 5000, 5000, 5000, 5000, 5000, 5000,
    ]);
  });

  it("keep a full backlog's catching up within 15 s of recovery at the slowest request time measured locally", () => {
    // docs/protocol.md §13.6: 43 ms per request of 100 events on a loaded two-core machine.
    const slowestRequestMs = 43;
    const requests = Math.ceil(DELIVERY.maxBacklog / DELIVERY.maxEventsPerRequest);
    // The back-off never outlasts the time-out, so a hanging endpoint is retried as soon as its request gives up.
    expect(DELIVERY.maxRetryMs).toBeLessThanOrEqual(DELIVERY.timeoutMs);
    expect(DELIVERY.timeoutMs + requests * slowestRequestMs).toBeLessThan(15_000);
  });

  it("bound a request's body, but always send at least one event", () => {
    const row = (id: number, bytes: number) => ({ id, event: "x".repeat(bytes), createdAt: 0 });
    const half = DELIVERY.maxBodyBytes / 2;
    expect(fitInOneRequest([row(1, half - 10), row(2, half - 10), row(3, 100)]).map((r) => r.id)).toEqual([1, 2]);
    expect(fitInOneRequest([row(1, DELIVERY.maxBodyBytes * 2), row(2, 10)]).map((r) => r.id)).toEqual([1]);
  });
});
