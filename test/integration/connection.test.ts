import { describe, expect, it } from "vitest";
import { APP_KEY, openSocket } from "./support/socket";

describe("connecting", () => {
  it("sends connection_established with a socket id and activity timeout as a JSON string", async () => {
    const socket = await openSocket();
    const frame = await socket.next();
    expect(frame.event).toBe("pusher:connection_established");
    expect(typeof frame.data).toBe("string");
    const data = JSON.parse(String(frame.data));
    expect(data.socket_id).toMatch(/^\d+\.\d+$/);
    expect(data.activity_timeout).toBe(120);
  });

  it("refuses an unknown key with 4001", async () => {
    const socket = await openSocket("/app/nope?protocol=7");
    expect(await socket.next()).toEqual({ event: "pusher:error", data: { code: 4001, message: "App key not found" } });
    expect((await socket.waitClosed()).code).toBe(4001);
  });

  it("refuses a missing protocol with 4008 and an unsupported one with 4007", async () => {
    const missing = await openSocket(`/app/${APP_KEY}`);
    expect((await missing.next()).data).toMatchObject({ code: 4008 });
    expect((await missing.waitClosed()).code).toBe(4008);
    const old = await openSocket(`/app/${APP_KEY}?protocol=4`);
    expect((await old.next()).data).toMatchObject({ code: 4007 });
    expect((await old.waitClosed()).code).toBe(4007);
  });
});
