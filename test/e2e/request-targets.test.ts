import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostRuntime, type SoakRuntime } from "../../soak/host/runtime";
import { rawRequest } from "./support/raw-http";

/**
 * Straight to workerd, as on Cloudflare: `wrangler dev`'s own proxy fails a
 * request target that is not a path with a 500 of its own before Sower sees it.
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
