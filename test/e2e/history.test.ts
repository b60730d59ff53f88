import { describe, expect, it } from "vitest";
import { type Recovery, withHistory } from "../../client/sower-history";
import { backend, client, connected, disconnectAfterEach, once } from "./support/clients";

const track = disconnectAfterEach();

function unique(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Resolves once `count` values have arrived, or fails after `ms`. */
function collect(values: string[], count: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (values.length >= count) resolve();
      else if (Date.now() > deadline) reject(new Error(`got ${values.length} of ${count}: ${values.join(",")}`));
      else setTimeout(check, 20);
    };
    check();
  });
}

describe("recovery with pusher-js and the history module", () => {
  it("delivers all 50 events published during a 5 s cut-off, once each and in order, between the live ones", async () => {
    const sdk = backend();
    const channel = unique("history-");
    const pusher = track(client());
    const recoveries: Recovery[] = [];
    const history = withHistory(pusher, { onRecovery: (recovery) => recoveries.push(recovery) });
    await connected(pusher);
    const received: string[] = [];
    const subscription = pusher.subscribe(channel);
    subscription.bind("note", (data: unknown) => received.push(String(data)));
    await once(subscription, "pusher:subscription_succeeded");
    for (let n = 1; n <= 3; n++) await sdk.trigger(channel, "note", `n${n}`);
    await collect(received, 3, 5000);

    const cut = Date.now();
    pusher.disconnect();
    for (let n = 4; n <= 53; n++) {
      await sdk.trigger(channel, "note", `n${n}`);
      await new Promise((resolve) => setTimeout(resolve, 5000 / 50));
    }
    expect(Date.now() - cut).toBeGreaterThanOrEqual(5000);
    pusher.connect();
    // Live events published while the client resubscribes and recovers.
    const live = (async () => {
      for (let n = 54; n <= 63; n++) await sdk.trigger(channel, "note", `n${n}`);
    })();
    await live;
    await collect(received, 63, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received).toEqual(Array.from({ length: 63 }, (_, index) => `n${index + 1}`));
    expect(recoveries).toHaveLength(1);
    expect(recoveries[0]).toMatchObject({ channel, recovered: true });
    expect(recoveries[0]?.missed).toBeGreaterThanOrEqual(50);
    expect(history.position(channel)?.serial).toBe(63);
  });

  it("tells the app recovered: false when the history it remembers is from another epoch", async () => {
    const channel = unique("history-");
    const pusher = track(client());
    const recoveries: Recovery[] = [];
    withHistory(pusher, { onRecovery: (recovery) => recoveries.push(recovery) });
    await connected(pusher);
    // What a client remembers from before the channel's history was lost.
    pusher.send_event("pusher:subscribe", { channel, resume: { epoch: "a-lost-epoch", serial: 7 } });
    await expect.poll(() => recoveries.length).toBe(1);
    expect(recoveries[0]).toMatchObject({ channel, recovered: false, missed: 0, position: { serial: 0 } });
  });

  it("leaves stock pusher-js unchanged: the serial never reaches the app", async () => {
    const channel = unique("history-");
    const pusher = track(client());
    await connected(pusher);
    const subscription = pusher.subscribe(channel);
    const succeeded = once(subscription, "pusher:subscription_succeeded");
    expect(await succeeded).toEqual({});
    const event = once<unknown>(subscription, "note");
    await backend().trigger(channel, "note", { text: "hello" });
    expect(await event).toEqual({ text: "hello" });
  });
});
