import { describe, expect, it } from "vitest";
import { DELIVERY } from "../../src/beacon/webhooks/delivery-policy";
import { hmacHex } from "../support/rest-signer";
import { unique } from "./support/channels";
import { sharded } from "./support/objects";
import { subscribe } from "./support/rest";
import { APP_SECRET, connect, type TestSocket } from "./support/socket";
import { ALL_EVENTS_URL, settled, WebhookRecorder } from "./support/webhooks";

/** What delivery promises (docs/protocol.md §13.6): everything queued arrives within this long of recovery. */
const RECOVERY_GOAL_MS = 15_000;

describe("an endpoint that fails, then hangs, then recovers", () => {
  it("gets everything queued, in order, once, signed, within 15 s of recovery, and new events promptly", async () => {
    // Requests are compared whole: earlier tests' leaves must not share them.
    await settled();
    const recorder = new WebhookRecorder();
    const restore = recorder.install();
    // A socket holds at most 100 channels.
    const sockets = [await connect(), await connect()];
    const outage = Array.from({ length: 150 }, () => `${unique("outage-")}-wh`);
    const after = `${unique("after-")}-wh`;
    try {
      await outageThenRecovery(recorder, sockets, outage, after);
    } finally {
      for (const socket of sockets) socket.ws.close();
      // The closes' channel_vacated go to the recorder too, not to the real network once it is gone.
      await settled(...outage, after);
      restore();
    }
  }, 60_000);
});

async function outageThenRecovery(
  recorder: WebhookRecorder,
  sockets: TestSocket[],
  outage: string[],
  after: string,
): Promise<void> {
  const [first, ...rest] = outage;
  if (first === undefined) throw new Error("no channels");
  let subscribed = 0;
  const subscribeNext = (channel: string) => subscribe(sockets[subscribed++ % sockets.length] as TestSocket, channel);

  // HTTP 500s until the back-off has reached its cap (attempts at 0, 1, 3 and 7 s), queueing all along.
  const failing = recorder.holdUntilReleased(ALL_EVENTS_URL, first, "fail");
  await subscribeNext(first);
  for (const channel of rest.slice(0, 50)) await subscribeNext(channel);
  await recorder.waitForRequests(ALL_EVENTS_URL, first, 4, 15_000);
  for (const channel of rest.slice(50, 100)) await subscribeNext(channel);

  // Then no answer at all. Recovering just after a request started hanging is the worst moment:
  // that request is never answered, and only its time-out ends it.
  const hanging = recorder.holdUntilReleased(ALL_EVENTS_URL, first, "hang");
  failing();
  const before = recorder.requests(ALL_EVENTS_URL, first).length;
  await recorder.waitForRequests(ALL_EVENTS_URL, first, before + 1, 15_000);
  for (const channel of rest.slice(100)) await subscribeNext(channel);
  hanging();
  const recoveredAt = Date.now();

  await subscribeNext(after);
  await recorder.waitFor(ALL_EVENTS_URL, after, 1, RECOVERY_GOAL_MS);
  // Behind `after` in one outbox; in a sharded app, in the first channel's hub, which has its own time-out to wait.
  await recorder.waitFor(ALL_EVENTS_URL, first, 1, RECOVERY_GOAL_MS);
  const campaign = [first, ...rest, after];
  const accepted = recorder.deliveries.filter(
    (delivery) =>
      delivery.url === ALL_EVENTS_URL &&
      delivery.status === 200 &&
      delivery.events.some((event) => campaign.includes(event.channel)),
  );
  const delivered = accepted.flatMap((delivery) => delivery.events.map((event) => event.channel));
  if (sharded()) {
    // Each channel's hub has an outbox of its own: only the first channel's work waits out the outage,
    // so each channel_occupied arrives once, and the first channel's after the recovery.
    expect([...delivered].sort()).toEqual([...campaign].sort());
    expect(delivered.indexOf(first)).toBeGreaterThan(delivered.indexOf(rest[0] ?? first));
  } else {
    // In order and once: exactly the campaign's channel_occupied events, as they happened.
    expect(delivered).toEqual(campaign);
  }
  for (const delivery of accepted) {
    expect(delivery.headers["x-pusher-signature"]).toBe(await hmacHex(APP_SECRET, delivery.body));
  }
  const lastAt = Math.max(...accepted.map((delivery) => delivery.at));
  expect(lastAt - recoveredAt).toBeLessThan(RECOVERY_GOAL_MS);
  // The hanging request's time-out is all the wait there is; no back-off slot follows it.
  expect(lastAt - recoveredAt).toBeLessThan(DELIVERY.timeoutMs + 3000);
  // The outage as the endpoint saw it: 500s until the back-off was capped, then requests left hanging.
  const statuses = recorder.requests(ALL_EVENTS_URL, first).map((request) => request.status);
  const firstHang = statuses.indexOf(0);
  expect(firstHang).toBeGreaterThanOrEqual(4);
  expect(statuses.slice(0, firstHang).every((status) => status === 500)).toBe(true);
  expect(statuses.slice(firstHang, -1).every((status) => status === 0)).toBe(true);
  expect(statuses.at(-1)).toBe(200);
}
