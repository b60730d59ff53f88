import { describe, expect, it } from "vitest";
import { connectSignedIn, signIn, unique } from "./support/auth";
import { beacon } from "./support/channels";
import { hibernate } from "./support/eviction";
import { connect } from "./support/socket";

function watchlistFrame(name: "online" | "offline", userIds: string[]) {
  return { event: "pusher_internal:watchlist_events", data: JSON.stringify({ events: [{ name, user_ids: userIds }] }) };
}

describe("watchlists", () => {
  it("tells a watcher when a watched user comes online with the first socket and goes offline with the last", async () => {
    const watched = unique("watched-");
    const watcher = await connectSignedIn({ id: unique("watcher-"), watchlist: [watched] });

    const first = await connectSignedIn({ id: watched });
    expect(await watcher.next()).toEqual(watchlistFrame("online", [watched]));
    const second = await connectSignedIn({ id: watched });
    await watcher.expectSilence();

    first.ws.close(1000);
    await first.waitClosed();
    await watcher.expectSilence();
    second.ws.close(1000);
    expect(await watcher.next()).toEqual(watchlistFrame("offline", [watched]));
  });

  it("sends the watched users already online right after signin_success", async () => {
    const online = unique("online-");
    const offline = unique("offline-");
    await connectSignedIn({ id: online });
    const watcher = await connect();
    const success = await signIn(watcher, { id: unique("watcher-"), watchlist: [online, offline] });
    expect(success.event).toBe("pusher:signin_success");
    expect(await watcher.next()).toEqual(watchlistFrame("online", [online]));
    await watcher.expectSilence();
  });

  it("does not tell sockets that do not watch the user", async () => {
    const watched = unique("watched-");
    const bystander = await connectSignedIn({ id: unique("bystander-"), watchlist: [unique("someone-")] });
    await connectSignedIn({ id: watched });
    await bystander.expectSilence();
  });

  it("keeps watchlists and online state across an eviction", async () => {
    const watched = unique("watched-");
    const watcher = await connectSignedIn({ id: unique("watcher-"), watchlist: [watched] });
    const early = await connectSignedIn({ id: watched });
    expect(await watcher.next()).toEqual(watchlistFrame("online", [watched]));
    await hibernate(beacon());

    // Still online after the wake: a second socket is not announced, closing both is.
    const late = await connectSignedIn({ id: watched });
    await watcher.expectSilence();
    early.ws.close(1000);
    await early.waitClosed();
    await watcher.expectSilence();
    late.ws.close(1000);
    expect(await watcher.next()).toEqual(watchlistFrame("offline", [watched]));
  });
});

describe("watchlists when the server closes a user's socket", () => {
  it("announce offline when a signed-in socket is closed with 4009 by a failed sign-in", async () => {
    const watched = unique("watched-");
    const watcher = await connectSignedIn({ id: unique("watcher-"), watchlist: [watched] });
    const socket = await connectSignedIn({ id: watched });
    expect(await watcher.next()).toEqual(watchlistFrame("online", [watched]));

    socket.send({
      event: "pusher:signin",
      data: { auth: "sower-key:bad", user_data: JSON.stringify({ id: watched }) },
    });
    expect((await socket.waitClosed()).code).toBe(4009);
    expect(await watcher.next()).toEqual(watchlistFrame("offline", [watched]));
  });
});
