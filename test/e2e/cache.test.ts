import { describe, expect, it } from "vitest";
import { backend, client, disconnectAfterEach, once, uniqueName } from "./support/clients";

const track = disconnectAfterEach();

describe("cache channels with pusher-js and the pusher SDK", () => {
  it("emits pusher:cache_miss on an empty cache channel", async () => {
    const pusher = track(client());
    const channel = pusher.subscribe(uniqueName("cache-"));
    await once(channel, "pusher:cache_miss");
  });

  it("gives a new subscriber the last triggered event, which the SDK can also read", async () => {
    const name = uniqueName("private-cache-");
    const sdk = backend();
    await sdk.trigger(name, "score", { home: 1, away: 0 });
    await sdk.trigger(name, "score", { home: 2, away: 0 });

    const pusher = track(client());
    const channel = pusher.subscribe(name);
    expect(await once(channel, "score")).toEqual({ home: 2, away: 0 });

    const response = await sdk.get({ path: `/channels/${name}`, params: { info: "cache" } });
    const body = (await response.json()) as { occupied: boolean; cache: { event: string; data: string } };
    expect(body.occupied).toBe(true);
    expect(body.cache).toMatchObject({ event: "score", data: JSON.stringify({ home: 2, away: 0 }) });
  });
});
