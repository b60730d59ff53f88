import { createRequire } from "node:module";
import { afterEach, describe, expect, it, vi } from "vitest";
import { BENCH_APP } from "../../bench/load/app";
import { clientEventFrame, signInFrame, socketPath, subscribeFrame, userAuth } from "../../bench/load/frames";
import { batchBody, signedQuery, triggerBody } from "../../bench/load/rest";

/**
 * The bench's load generator must send what real clients send, or its
 * figures mean nothing: REST calls signed exactly as the `pusher` SDK signs
 * them, and frames byte for byte as pusher-js writes them.
 */
interface SdkRequests {
  createSignedQueryString(
    token: { key: string; secret: string; sign(text: string): string },
    request: { method: string; path: string; body?: string; params?: Record<string, string> },
  ): string;
}
type TokenClass = new (key: string, secret: string) => { key: string; secret: string; sign(text: string): string };

const require = createRequire(import.meta.url);
const sdkRequests = require("pusher/lib/requests") as SdkRequests;
const Token = require("pusher/lib/token") as TokenClass;

afterEach(() => {
  vi.useRealTimers();
});

describe("bench REST signing", () => {
  it("matches the pusher SDK's signed query for a trigger", () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-11-25T01:00:00Z"));
    const path = `/apps/${BENCH_APP.id}/events`;
    const body = triggerBody(["bench-fanout"], "bench-event", '{"l":0,"s":1}');
    const sdk = sdkRequests.createSignedQueryString(new Token(BENCH_APP.key, BENCH_APP.secret), {
      method: "POST",
      path,
      body,
    });
    expect(signedQuery("POST", path, body)).toBe(sdk);
  });

  it("matches the pusher SDK's signed query for a read with its own parameters", () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-11-25T01:00:00Z"));
    const path = `/apps/${BENCH_APP.id}/channels/ops-a`;
    const params = { info: "subscription_count" };
    const sdk = sdkRequests.createSignedQueryString(new Token(BENCH_APP.key, BENCH_APP.secret), {
      method: "GET",
      path,
      params,
    });
    expect(signedQuery("GET", path, "", { query: params })).toBe(sdk);
  });

  it("posts the body pusher.trigger posts", () => {
    expect(triggerBody(["a", "b"], "ev", "{}")).toBe('{"name":"ev","data":"{}","channels":["a","b"]}');
  });

  it("posts the body pusher.triggerBatch posts", () => {
    const events = [
      { channel: "a", name: "ev", data: "{}" },
      { channel: "b", name: "ev", data: "{}" },
    ];
    expect(batchBody(events)).toBe(
      '{"batch":[{"channel":"a","name":"ev","data":"{}"},{"channel":"b","name":"ev","data":"{}"}]}',
    );
  });
});

describe("bench frames", () => {
  it("writes pusher-js's subscribe and client-event frames", () => {
    expect(subscribeFrame("public-1", "")).toBe('{"event":"pusher:subscribe","data":{"auth":"","channel":"public-1"}}');
    expect(subscribeFrame("presence-1", "k:s", '{"user_id":"1"}')).toBe(
      '{"event":"pusher:subscribe","data":{"auth":"k:s","channel_data":"{\\"user_id\\":\\"1\\"}","channel":"presence-1"}}',
    );
    expect(clientEventFrame("client-x", { a: 1 }, "private-1")).toBe(
      '{"event":"client-x","data":{"a":1},"channel":"private-1"}',
    );
  });

  it("signs in as pusher-js does, with the auth the pusher SDK's authenticateUser gives", () => {
    const Pusher = require("pusher") as new (
      options: Record<string, string>,
    ) => {
      authenticateUser(socketId: string, user: { id: string }): { auth: string; user_data: string };
    };
    const sdk = new Pusher({ appId: BENCH_APP.id, key: BENCH_APP.key, secret: BENCH_APP.secret, cluster: "mt1" });
    const user = { id: "u1", watchlist: ["u2"] };
    const signed = sdk.authenticateUser("1.2", user);
    expect(userAuth("1.2", signed.user_data)).toBe(signed.auth);
    expect(signInFrame(signed.user_data, signed.auth)).toBe(
      JSON.stringify({ event: "pusher:signin", data: { auth: signed.auth, user_data: signed.user_data } }),
    );
  });

  it("connects with pusher-js's URL", () => {
    expect(socketPath("k")).toBe("/app/k?protocol=7&client=js&version=8.6.0&flash=false");
  });
});
