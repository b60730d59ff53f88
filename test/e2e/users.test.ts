import type PusherClient from "pusher-js";
import { afterEach, describe, expect, it } from "vitest";
import { client, connected, once, uniqueName } from "./support/clients";

const open: PusherClient[] = [];
function track(pusher: PusherClient): PusherClient {
  open.push(pusher);
  return pusher;
}
afterEach(() => {
  for (const pusher of open.splice(0)) pusher.disconnect();
});

async function signedIn(pusher: PusherClient): Promise<void> {
  pusher.signin();
  await connected(pusher);
  await pusher.user.signinDonePromise;
  expect(pusher.user.user_data).not.toBeNull();
}

describe("user sign-in with pusher-js", () => {
  it("signs in and keeps the signed user_data", async () => {
    const id = uniqueName("user-");
    const pusher = track(client({ user: { id, user_info: { name: "Ada" } } }));
    await signedIn(pusher);
    expect(pusher.user.user_data).toEqual({ id, user_info: { name: "Ada" } });
  });

  it("tells a watchlist when watched users come online and go offline", async () => {
    const watched = uniqueName("watched-");
    const watcher = track(client({ user: { id: uniqueName("watcher-"), watchlist: [watched] } }));
    await signedIn(watcher);

    const online = once<{ name: string; user_ids: string[] }>(watcher.user.watchlist, "online");
    const friend = track(client({ user: { id: watched } }));
    await signedIn(friend);
    expect(await online).toEqual({ name: "online", user_ids: [watched] });

    const offline = once<{ name: string; user_ids: string[] }>(watcher.user.watchlist, "offline");
    friend.disconnect();
    expect(await offline).toEqual({ name: "offline", user_ids: [watched] });
  });

  it("gives a new watcher the watched users already online", async () => {
    const watched = uniqueName("watched-");
    await signedIn(track(client({ user: { id: watched } })));
    const watcher = track(client({ user: { id: uniqueName("watcher-"), watchlist: [watched] } }));
    const online = once<{ name: string; user_ids: string[] }>(watcher.user.watchlist, "online");
    watcher.signin();
    expect(await online).toEqual({ name: "online", user_ids: [watched] });
  });
});
