import { runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { channelStringToSign, signToken, userStringToSign } from "../../src/auth/signatures";
import { appRest, appTrigger } from "./support/app-rest";
import { connectApp, openAppSocket } from "./support/app-sockets";
import { NEXT_PAIR, RETIRED_PAIR, ROTATING_APP } from "./support/apps";
import { heldSocket, unique } from "./support/channels";
import { linesLogged } from "./support/logs";
import { hibernateApp, holderOf } from "./support/objects";
import { expectRefused, type TestSocket } from "./support/socket";

const PRIMARY_PAIR = { key: ROTATING_APP.key, secret: ROTATING_APP.secret };
const RETIRED_KEY = "App key retired: connect with the app's current key";
const RETIRED_TOKEN =
  "The auth token is signed with the retired key 'rotating-key-old': the auth endpoint must sign with a current key and secret of the app";

/** Every socket a test opens; closed after it, so the next test's counts start from its own sockets. */
const opened: TestSocket[] = [];
afterEach(async () => {
  for (const socket of opened.splice(0)) {
    if (socket.closed) continue;
    socket.ws.close(1000);
    await socket.waitClosed();
  }
});

async function connectWith(key: string): Promise<TestSocket> {
  const socket = await connectApp(key);
  opened.push(socket);
  return socket;
}

/** Subscribes to a private or presence channel with a token signed by `pair`; returns the answer frame. */
async function subscribeSigned(
  socket: TestSocket,
  pair: { key: string; secret: string },
  channel: string,
  member?: { user_id: string },
) {
  const channelData = member === undefined ? undefined : JSON.stringify(member);
  const auth = await signToken(pair, channelStringToSign(socket.socketId, channel, channelData));
  socket.send({ event: "pusher:subscribe", data: { channel, auth, channel_data: channelData } });
  return socket.next();
}

async function connectionsByKey(): Promise<unknown> {
  const stats = await appRest(ROTATING_APP, "GET", "/stats");
  expect(stats.status).toBe(200);
  const body: { connections_by_key?: unknown } = JSON.parse(stats.text);
  return body.connections_by_key;
}

/** Rewrites a held socket's attachment, as an earlier release or configuration left it. */
async function rewriteAttachment(socket: TestSocket, rewrite: (attachment: Record<string, unknown>) => unknown) {
  await runInDurableObject(await holderOf(socket.socketId, ROTATING_APP.id), (_instance, state) => {
    const ws = heldSocket(state, socket.socketId);
    const attachment: unknown = ws.deserializeAttachment();
    if (typeof attachment !== "object" || attachment === null) throw new Error("no attachment");
    ws.serializeAttachment(rewrite({ ...attachment }));
  });
}

describe("an app with several key pairs", () => {
  it("accepts sockets on every current key and counts them by key in /stats", async () => {
    await connectWith(ROTATING_APP.key);
    await connectWith(ROTATING_APP.key);
    await connectWith(NEXT_PAIR.key);
    expect(await connectionsByKey()).toEqual({
      [ROTATING_APP.key]: 2,
      [NEXT_PAIR.key]: 1,
      [RETIRED_PAIR.key]: 0,
    });
  });

  it("accepts REST calls signed with either current pair, reaching sockets of either key", async () => {
    const channel = unique("news-");
    const sockets = [await connectWith(ROTATING_APP.key), await connectWith(NEXT_PAIR.key)];
    for (const socket of sockets) {
      socket.send({ event: "pusher:subscribe", data: { channel } });
      await socket.nextEvent("pusher_internal:subscription_succeeded");
    }
    for (const signer of [PRIMARY_PAIR, NEXT_PAIR]) {
      const sent = await appTrigger(ROTATING_APP, [channel], "update", signer.key, { signer });
      expect(sent.status).toBe(200);
      for (const socket of sockets) expect(await socket.next()).toEqual({ event: "update", channel, data: signer.key });
    }
  });

  it("accepts channel auth and sign-in signed with a pair other than the socket's key", async () => {
    const onPrimary = await connectWith(ROTATING_APP.key);
    const onNext = await connectWith(NEXT_PAIR.key);
    const privateChannel = unique("private-mixed-");
    expect((await subscribeSigned(onPrimary, NEXT_PAIR, privateChannel)).event).toBe(
      "pusher_internal:subscription_succeeded",
    );
    expect((await subscribeSigned(onNext, PRIMARY_PAIR, privateChannel)).event).toBe(
      "pusher_internal:subscription_succeeded",
    );
    const presence = unique("presence-mixed-");
    const joined = await subscribeSigned(onPrimary, NEXT_PAIR, presence, { user_id: "ada" });
    expect(joined).toMatchObject({ event: "pusher_internal:subscription_succeeded", channel: presence });

    const userData = JSON.stringify({ id: "grace" });
    const auth = await signToken(NEXT_PAIR, userStringToSign(onPrimary.socketId, userData));
    onPrimary.send({ event: "pusher:signin", data: { auth, user_data: userData } });
    expect((await onPrimary.next()).event).toBe("pusher:signin_success");
  });
});

describe("a retired pair", () => {
  it("refuses new sockets with 4001, leaving the app's other sockets open", async () => {
    const other = await connectWith(NEXT_PAIR.key);
    await expectRefused(await openAppSocket(RETIRED_PAIR.key), 4001, RETIRED_KEY);
    await other.expectSilence();
  });

  it("refuses REST calls signed with it with 401, saying it is retired, and logs no secret", async () => {
    let refused: Awaited<ReturnType<typeof appTrigger>> | undefined;
    const warnings = await linesLogged("warn", async () => {
      refused = await appTrigger(ROTATING_APP, [unique("news-")], "update", "x", { signer: RETIRED_PAIR });
    });
    const message = "auth_key 'rotating-key-old' is retired: sign requests with a current key and secret of the app";
    expect({ status: refused?.status, text: refused?.text }).toEqual({ status: 401, text: `${message}\n` });
    // The log names the retired key (reasons are clipped), so an operator can tell which backend to move.
    const reason = expect.stringContaining("auth_key 'rotating-key-old' is retired");
    expect(warnings).toEqual([expect.objectContaining({ message: "rest auth failed", reason })]);
    for (const secret of [RETIRED_PAIR.secret, NEXT_PAIR.secret, PRIMARY_PAIR.secret]) {
      expect(JSON.stringify(warnings)).not.toContain(secret);
    }
    const read = await appRest(ROTATING_APP, "GET", "/channels", { signer: RETIRED_PAIR });
    expect(read.status).toBe(401);
  });

  it("refuses channel auth signed with it, and the socket stays open", async () => {
    const socket = await connectWith(ROTATING_APP.key);
    const channel = unique("private-retired-");
    expect(await subscribeSigned(socket, RETIRED_PAIR, channel)).toEqual({
      event: "pusher:subscription_error",
      channel,
      data: { type: "AuthError", error: RETIRED_TOKEN, status: 401 },
    });
    await socket.expectSilence();
  });

  it("refuses sign-in signed with it with 4009, as any failed sign-in", async () => {
    const socket = await connectWith(NEXT_PAIR.key);
    const userData = JSON.stringify({ id: "mallory" });
    const auth = await signToken(RETIRED_PAIR, userStringToSign(socket.socketId, userData));
    socket.send({ event: "pusher:signin", data: { auth, user_data: userData } });
    await expectRefused(socket, 4009, RETIRED_TOKEN);
  });
});

describe("sockets whose key stopped being served while the Beacon slept", () => {
  it.each([
    ["retired", RETIRED_PAIR.key, RETIRED_KEY],
    ["removed from the configuration", "rotating-key-removed", "App key not found"],
  ])("are told and closed with 4001 when it wakes, when their key was %s", async (_how, key, message) => {
    const presence = unique("presence-rotating-");
    const stale = await connectWith(ROTATING_APP.key);
    const peer = await connectWith(NEXT_PAIR.key);
    expect((await subscribeSigned(stale, PRIMARY_PAIR, presence, { user_id: "old-client" })).event).toBe(
      "pusher_internal:subscription_succeeded",
    );
    expect((await subscribeSigned(peer, NEXT_PAIR, presence, { user_id: "new-client" })).event).toBe(
      "pusher_internal:subscription_succeeded",
    );
    await stale.nextEvent("pusher_internal:member_added");
    // As a socket that connected with `key` before the configuration changed would be held.
    await rewriteAttachment(stale, (attachment) => ({ ...attachment, key }));
    await hibernateApp(ROTATING_APP.id, presence);

    expect(await connectionsByKey()).toEqual({ [ROTATING_APP.key]: 0, [NEXT_PAIR.key]: 1, [RETIRED_PAIR.key]: 0 });
    await expectRefused(stale, 4001, message);
    expect(await peer.nextEvent("pusher_internal:member_removed")).toEqual({
      event: "pusher_internal:member_removed",
      channel: presence,
      data: JSON.stringify({ user_id: "old-client" }),
    });
    const users = await appRest(ROTATING_APP, "GET", `/channels/${presence}/users`);
    expect(JSON.parse(users.text)).toEqual({ users: [{ id: "new-client" }] });
  });
});

describe("an attachment written by the release before sockets kept their key", () => {
  it("is read as the primary key, and its socket is served on", async () => {
    const channel = unique("legacy-");
    const socket = await connectWith(NEXT_PAIR.key);
    socket.send({ event: "pusher:subscribe", data: { channel } });
    await socket.nextEvent("pusher_internal:subscription_succeeded");
    // Version 1 as that release wrote it: socket id, connection time, no key.
    await rewriteAttachment(socket, ({ socketId, connectedAt }) => ({ v: 1, socketId, connectedAt }));
    await hibernateApp(ROTATING_APP.id, channel);

    expect(await connectionsByKey()).toEqual({ [ROTATING_APP.key]: 1, [NEXT_PAIR.key]: 0, [RETIRED_PAIR.key]: 0 });
    expect((await appTrigger(ROTATING_APP, [channel], "still-here", "yes")).status).toBe(200);
    expect(await socket.next()).toEqual({ event: "still-here", channel, data: "yes" });
  });
});
