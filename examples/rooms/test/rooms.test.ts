import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, joinApi } from "./support/api";
import { ADMIN_PASSWORD, type RoomsStack, startRooms } from "./support/stack";

let stack: RoomsStack;

beforeAll(async () => {
  stack = await startRooms();
});
afterAll(async () => {
  await stack?.stop();
});

function uniqueRoom(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

describe("the rooms API refuses what it must", () => {
  it("answers each bad request with its status and a message", async () => {
    const room = uniqueRoom("refusals");
    const wrongPassword = await callApi(stack.origin, `/api/rooms/${room}/join`, {
      method: "POST",
      body: { profile: { name: "Mallory" }, adminPassword: "guess" },
    });
    expect(wrongPassword).toEqual({ status: 403, body: { error: "wrong admin password" } });
    const badProperty = await callApi(stack.origin, `/api/rooms/${room}/join`, {
      method: "POST",
      body: { profile: { "not a name": "x" } },
    });
    expect(badProperty.status).toBe(400);
    expect(JSON.stringify(badProperty.body)).toContain("not a name");
    expect(await callApi(stack.origin, `/api/rooms/${room}/me`, { token: "not-a-token" })).toEqual({
      status: 401,
      body: { error: "not a member of this room: join it first" },
    });

    const member = await joinApi(stack.origin, room, { name: "Nina" });
    const config = await callApi(stack.origin, `/api/rooms/${room}/config`, {
      method: "PUT",
      token: member.token,
      body: { config: { title: "Mine now" } },
    });
    expect(config).toEqual({ status: 403, body: { error: "only an admin may configure the room" } });
    const broadcast = await callApi(stack.origin, `/api/rooms/${room}/broadcast`, {
      method: "POST",
      token: member.token,
      body: { text: "hello everyone" },
    });
    expect(broadcast).toEqual({ status: 403, body: { error: "only an admin may broadcast" } });
    const fraction = await callApi(stack.origin, `/api/rooms/${room}/counters/claps`, {
      method: "POST",
      token: member.token,
      body: { by: 1.5 },
    });
    expect(fraction).toEqual({ status: 400, body: { error: "by must be a whole number, e.g. 1 or -5" } });
    const adminChannel = await callApi(stack.origin, "/pusher/auth", {
      method: "POST",
      token: member.token,
      form: { socket_id: "1.1", channel_name: `private-room.${room}.admin` },
    });
    expect(adminChannel).toEqual({
      status: 403,
      body: { error: "only the room's admins hear what is relayed to them" },
    });
  });

  it("lets the admin password make an admin", async () => {
    const room = uniqueRoom("admin");
    const admin = await joinApi(stack.origin, room, { name: "Ada" }, ADMIN_PASSWORD);
    const me = await callApi(stack.origin, `/api/rooms/${room}/me`, { token: admin.token });
    expect(me.body).toMatchObject({ id: admin.id, admin: true, profile: { name: "Ada" } });
  });
});
