import type PusherClient from "pusher-js";
import { describe, expect, it } from "vitest";
import { backend, client, connected, disconnectAfterEach, once, uniqueName } from "./support/clients";

const track = disconnectAfterEach();

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

  it("tells the watchlist offline when the backend terminates the watched user's connections", async () => {
    const watched = uniqueName("watched-");
    const watcher = track(client({ user: { id: uniqueName("watcher-"), watchlist: [watched] } }));
    await signedIn(watcher);
    const online = once(watcher.user.watchlist, "online");
    await Promise.all([
      signedIn(track(client({ user: { id: watched } }))),
      signedIn(track(client({ user: { id: watched } }))),
    ]);
    await online;

    const offline = once<{ name: string; user_ids: string[] }>(watcher.user.watchlist, "offline");
    await backend().terminateUserConnections(watched);
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

describe("sendToUser with the pusher SDK", () => {
  it("reaches every connection of the user through pusher.user.bind, and nobody else", async () => {
    const id = uniqueName("user-");
    const phone = track(client({ user: { id } }));
    const laptop = track(client({ user: { id } }));
    const stranger = track(client({ user: { id: uniqueName("user-") } }));
    await Promise.all([signedIn(phone), signedIn(laptop), signedIn(stranger)]);
    // The #server-to-user- subscription follows sign-in; wait until both are in place.
    await Promise.all([userChannelReady(phone), userChannelReady(laptop), userChannelReady(stranger)]);

    let strangerGot = 0;
    stranger.user.bind("ping", () => {
      strangerGot += 1;
    });
    const onPhone = once(phone.user, "ping");
    const onLaptop = once(laptop.user, "ping");
    await backend().sendToUser(id, "ping", { n: 1 });
    expect(await onPhone).toEqual({ n: 1 });
    expect(await onLaptop).toEqual({ n: 1 });

    // Ordered after the first event for the stranger too, so anything misrouted would have arrived.
    const strangerId = stranger.user.user_data.id;
    const strangerOwn = once(stranger.user, "ping");
    await backend().sendToUser(strangerId, "ping", { n: 2 });
    expect(await strangerOwn).toEqual({ n: 2 });
    expect(strangerGot).toBe(1);
  });
});

async function userChannelReady(pusher: PusherClient): Promise<void> {
  const channel = pusher.user.serverToUserChannel;
  if (channel === null) throw new Error("no server-to-user channel after sign-in");
  if (!channel.subscribed) await once(channel, "pusher:subscription_succeeded");
}

describe("a refused sign-in with pusher-js", () => {
  it("gets pusher:error 4009, and the 4009 close makes pusher-js disconnect instead of reconnecting", async () => {
    const id = uniqueName("user-");
    const sdk = backend();
    const pusher = track(
      client({
        userAuthentication: {
          endpoint: "/unused",
          transport: "ajax",
          // Signed for another socket, as a token replayed from elsewhere would be.
          customHandler: (_params, callback) => callback(null, sdk.authenticateUser("1.1", { id })),
        },
      }),
    );
    // Both bound before anything is sent, so neither can be missed on a busy machine.
    const error = once<{ type: string; data: { code: number; message: string } }>(pusher.connection, "error", 15_000);
    const disconnected = once(pusher.connection, "disconnected", 15_000);
    pusher.signin();
    expect((await error).data).toEqual({ code: 4009, message: "Invalid signature for pusher:signin" });
    // 4001-4099 closes are "refused" in pusher-js: it disconnects rather than retrying.
    await disconnected;
    expect(pusher.connection.state).toBe("disconnected");
  });
});
