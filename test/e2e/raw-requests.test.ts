import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostRuntime, type SoakRuntime } from "../../soak/host/runtime";
import { rawRequest } from "./support/raw-http";

/**
 * Requests written byte by byte, straight to workerd as on Cloudflare, with
 * Sower's error lines in view. Not through `wrangler dev`: its own proxy fails
 * a request target that is not a path with a 500 of its own before Sower sees it.
 */
let runtime: SoakRuntime;
beforeAll(async () => {
  runtime = await hostRuntime([]);
});
afterAll(() => runtime?.close());

describe("request targets that are not a path", () => {
  it("answers the asterisk form with 400 rather than failing inside the Worker", async () => {
    const { host, port } = runtime.info;
    for (const method of ["GET", "POST", "OPTIONS"]) {
      const head = `${method} * HTTP/1.1\r\nHost: ${host}:${port}\r\nConnection: close\r\n\r\n`;
      expect(await rawRequest(runtime.info, head)).toMatchObject({
        status: 400,
        text: "Bad request target: send a path such as /apps/{app_id}/events\n",
      });
    }
    expect(runtime.errorLines).toEqual([]);
  });
});

describe("bodies that break off", () => {
  it("answers a body shorter than its Content-Length, cut short by the client, with 400 and logs no error", async () => {
    const { host, port, appId } = runtime.info;
    const head = `POST /apps/${appId}/events HTTP/1.1\r\nHost: ${host}:${port}\r\nContent-Length: 50\r\n\r\n`;
    const answer = await rawRequest(runtime.info, head, async (socket) => {
      // Half a body, then the client's side of the connection closes: the server sees its end early.
      socket.end('{"name":"x"');
    });
    expect(answer).toMatchObject({ status: 400, text: "The request body ended before it was complete\n" });
    expect(runtime.errorLines).toEqual([]);
  });
});
