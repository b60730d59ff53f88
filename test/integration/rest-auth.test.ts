import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { AuditRequest } from "../../src/audit/entry";
import type { AuditWorker } from "../../src/audit/worker-records";
import type { App } from "../../src/config/app";
import { loadApps } from "../../src/config/registry";
import { handleRest } from "../../src/rest/router";
import { route } from "../../src/router";
import { hmacHex, md5 } from "../support/rest-signer";
import { BASE, expectRefusal, rest, restRequest } from "./support/rest";
import { APP_ID, APP_KEY } from "./support/socket";

const EVENT = { name: "e", channel: "auth-tests", data: "{}" };
const now = () => Math.floor(Date.now() / 1000);

/**
 * A Beacon namespace that records any use: requests refused in the Worker
 * must never reach (or wake) a Durable Object.
 */
function trappedBeacons() {
  const touched: string[] = [];
  const trap = {
    get(_target: object, property: string | symbol) {
      touched.push(String(property));
      throw new Error("the Beacon must not be reached");
    },
  };
  const beacons = new Proxy({}, trap) as unknown as Env["BEACON"];
  const hubs = new Proxy({}, trap) as unknown as Env["HUB"];
  return { beacons, hubs, touched };
}

/** Where the Worker hands what it records itself (docs/audit.md), kept here instead of reaching an object. */
function keptAudit(): AuditWorker & { kept: AuditRequest[] } {
  const kept: AuditRequest[] = [];
  return {
    db: env.AUDIT_DB,
    record: async (_app, requests) => {
      kept.push(...requests);
    },
    waitUntil: () => undefined,
    kept,
  };
}

function defaultApp(): App {
  const apps = loadApps(env);
  const app = apps.ok ? apps.byId(APP_ID) : undefined;
  if (app === undefined) throw new Error("integration app missing");
  return app;
}

async function refusedInWorker(request: Request, app: App = defaultApp()) {
  const { beacons, hubs, touched } = trappedBeacons();
  const response = await handleRest(
    request,
    new URL(request.url),
    { byId: (id) => (id === app.id ? app : undefined) },
    beacons,
    hubs,
    keptAudit(),
  );
  expect(touched).toEqual([]);
  return { status: response.status, text: await response.text(), headers: response.headers };
}

describe("REST signing", () => {
  it("accepts a correctly signed request", async () => {
    const response = await rest("POST", "/events", { body: EVENT });
    expect({ status: response.status, body: response.text }).toEqual({ status: 200, body: "{}" });
    expect(response.headers.get("content-type")).toContain("application/json");
  });

  it("refuses a signature made with another secret (401)", async () => {
    await expectRefusal(
      rest("POST", "/events", { body: EVENT, secret: "not-the-secret-000000" }),
      401,
      "Invalid signature",
    );
  });

  it("refuses an unknown auth_key (401)", async () => {
    await expectRefusal(rest("POST", "/events", { body: EVENT, key: "someone-else" }), 401, "Unknown auth_key");
  });

  it.each(["auth_key", "auth_timestamp", "auth_version", "auth_signature"])(
    "refuses a request without %s (401)",
    async (name) => {
      await expectRefusal(rest("POST", "/events", { body: EVENT, omit: [name] }), 401, `Missing ${name}`);
    },
  );

  it("refuses auth_version other than 1.0 (401)", async () => {
    await expectRefusal(
      rest("POST", "/events", { body: EVENT, params: { auth_version: "2.0" } }),
      401,
      "Unsupported auth_version",
    );
  });

  it("refuses timestamps more than 600 s old or ahead, and accepts them within (replay protection)", async () => {
    await expectRefusal(rest("POST", "/events", { body: EVENT, timestamp: now() - 700 }), 401, "Timestamp expired");
    await expectRefusal(rest("POST", "/events", { body: EVENT, timestamp: now() + 700 }), 401, "Timestamp expired");
    await expectRefusal(
      rest("POST", "/events", { body: EVENT, params: { auth_timestamp: "soon" } }),
      401,
      "auth_timestamp must be a Unix time",
    );
    expect((await rest("POST", "/events", { body: EVENT, timestamp: now() - 550 })).status).toBe(200);
    expect((await rest("POST", "/events", { body: EVENT, timestamp: now() + 550 })).status).toBe(200);
  });

  it("refuses a body without body_md5, with a wrong one, or changed after signing (401)", async () => {
    await expectRefusal(rest("POST", "/events", { body: EVENT, omit: ["body_md5"] }), 401, "Missing body_md5");
    const otherMd5 = await md5("something else");
    await expectRefusal(
      rest("POST", "/events", { body: EVENT, tamper: { body_md5: otherMd5 } }),
      401,
      "body_md5 does not match",
    );
    // Signed with the md5 of one body, sent with another.
    const signed = await restRequest("POST", "/events", { body: EVENT });
    const swapped = new Request(signed.url, {
      method: "POST",
      body: JSON.stringify({ ...EVENT, data: "forged" }),
      headers: { "content-type": "application/json" },
    });
    await expectRefusal(SELF.fetch(swapped).then(textOf), 401, "body_md5 does not match");
  });

  it("refuses parameters added or changed after signing (401)", async () => {
    await expectRefusal(
      rest("GET", "/channels", { tamper: { filter_by_prefix: "presence-" } }),
      401,
      "Invalid signature",
    );
    await expectRefusal(
      rest("GET", "/channels", { params: { info: "subscription_count" }, tamper: { info: "user_count" } }),
      401,
      "Invalid signature",
    );
  });

  it("refuses a signature made for another path or method (401)", async () => {
    await expectRefusal(
      rest("GET", "/channels", { signedPath: `/apps/${APP_ID}/channels/other` }),
      401,
      "Invalid signature",
    );
    const signedAsGet = await restRequest("GET", "/channels");
    const asPost = new Request(signedAsGet.url.replace("/channels", "/events"), { method: "POST" });
    await expectRefusal(SELF.fetch(asPost).then(textOf), 401, "Invalid signature");
  });

  it("tells which string it expected signed, so a proxy rewriting the path can be found", async () => {
    const response = await rest("GET", "/channels", { secret: "not-the-secret-000000" });
    expect(response.text).toContain(`GET\\n/apps/${APP_ID}/channels\\nauth_key=${APP_KEY}`);
  });

  it("accepts a query value sent percent-encoded but signed decoded", async () => {
    const timestamp = now();
    const query = `auth_key=${APP_KEY}&auth_timestamp=${timestamp}&auth_version=1.0&info=subscription_count`;
    const signature = await hmacHex("integration-secret-0123456789", `GET\n/apps/${APP_ID}/channels\n${query}`);
    const url = `${BASE}/apps/${APP_ID}/channels?${query.replace("subscription_count", "subscription%5Fcount")}&auth_signature=${signature}`;
    const response = await SELF.fetch(url);
    expect(response.status).toBe(200);
  });
});

describe("REST routing and limits, refused in the Worker", () => {
  it("answers 404 for an unknown app and an unknown path", async () => {
    const unknownApp = new Request(`${BASE}/apps/nope/events`, { method: "POST", body: "{}" });
    expect(await refusedInWorker(unknownApp)).toMatchObject({
      status: 404,
      text: expect.stringContaining("Unknown app id 'nope'"),
    });
    const unknownPath = await restRequest("GET", "/nothing-here");
    expect(await refusedInWorker(unknownPath)).toMatchObject({
      status: 404,
      text: expect.stringContaining("Unknown API path"),
    });
    expect((await SELF.fetch(`${BASE}/apps/`)).status).toBe(404);
  });

  it("answers 405 with Allow for a wrong method", async () => {
    const getEvents = await restRequest("GET", "/events");
    const refused = await refusedInWorker(getEvents);
    expect(refused).toMatchObject({ status: 405, text: expect.stringContaining("use POST") });
    expect(refused.headers.get("allow")).toBe("POST");
    const postChannels = await restRequest("POST", "/channels", { body: {} });
    expect((await refusedInWorker(postChannels)).headers.get("allow")).toBe("GET");
    const deleteTerminate = await restRequest("DELETE", "/users/u/terminate_connections");
    expect((await refusedInWorker(deleteTerminate)).status).toBe(405);
  });

  it("answers 403 for a disabled app, after checking the signature", async () => {
    const disabled = { ...defaultApp(), enabled: false };
    const signed = await restRequest("POST", "/events", { body: EVENT });
    expect(await refusedInWorker(signed, disabled)).toMatchObject({ status: 403, text: "App is disabled\n" });
    const forged = await restRequest("POST", "/events", { body: EVENT, secret: "not-the-secret-000000" });
    expect((await refusedInWorker(forged, disabled)).status).toBe(401);
  });

  it("refuses a body over the cap with 413 before reading it, declared or streamed", async () => {
    const huge = "x".repeat(2_000_000);
    const declared = await restRequest("POST", "/events", { body: huge });
    expect(await refusedInWorker(declared)).toMatchObject({
      status: 413,
      text: expect.stringContaining("Request body is larger"),
    });
    const signed = await restRequest("POST", "/events", { body: huge });
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 1;
        if (sent > 40) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const streamed = new Request(signed.url, { method: "POST", body: stream });
    expect((await refusedInWorker(streamed)).status).toBe(413);
    expect(sent).toBeLessThan(40);
  });

  it("cancels a body it does not read, whatever the answer, so nothing waits for the rest", async () => {
    const signed = await restRequest("POST", "/events", { body: EVENT });
    const cases: Array<[string, string, number]> = [
      ["POST", signed.url, 413],
      ["POST", `${BASE}/apps/no-such-app/events`, 404],
      ["POST", `${BASE}/health`, 200],
      ["POST", `${BASE}/nowhere`, 404],
    ];
    for (const [method, url, status] of cases) {
      let cancelled = false;
      // A body that never ends, declared far beyond any legal request.
      const body = new ReadableStream<Uint8Array>({
        pull: (controller) => controller.enqueue(new Uint8Array(1024)),
        cancel: () => {
          cancelled = true;
        },
      });
      const request = new Request(url, { method, body, headers: { "Content-Length": "99999999999" } });
      const response = await route(request, env);
      expect({ url, status: response.status, cancelled }).toEqual({ url, status, cancelled: true });
    }
  });

  it("refuses every signing problem without touching the Beacon", async () => {
    const cases = [
      restRequest("POST", "/events", { body: EVENT, secret: "not-the-secret-000000" }),
      restRequest("POST", "/events", { body: EVENT, timestamp: now() - 3600 }),
      restRequest("POST", "/events", { body: EVENT, omit: ["body_md5"] }),
      restRequest("GET", "/channels", { omit: ["auth_signature"] }),
      restRequest("POST", "/users/u1/terminate_connections", { body: {}, key: "other" }),
    ];
    for (const request of await Promise.all(cases)) expect((await refusedInWorker(request)).status).toBe(401);
  });

  it("refuses bad bodies and parameters without touching the Beacon", async () => {
    const cases: Array<[Promise<Request>, number]> = [
      [restRequest("POST", "/events", { body: "not json" }), 400],
      [restRequest("POST", "/events", { body: { ...EVENT, data: "x".repeat(10_241) } }), 413],
      [restRequest("POST", "/batch_events", { body: { batch: Array(11).fill(EVENT) } }), 400],
      [restRequest("GET", "/channels", { params: { info: "user_count" } }), 400],
      [restRequest("GET", "/channels/public-one/users"), 400],
      [restRequest("GET", "/channels/bad%20name"), 400],
    ];
    for (const [request, status] of cases) expect((await refusedInWorker(await request)).status).toBe(status);
  });
});

describe("REST failures inside Sower", () => {
  it("answers 500 with a message when the Beacon call fails, and throws nothing", async () => {
    // The app's Beacon fails; so does a sharded app's first call, to the channel's hub.
    const failingObject = {
      getByName: () => ({
        publish: () => Promise.reject(new Error("Durable Object reset")),
        route: () => Promise.reject(new Error("Durable Object reset")),
      }),
    };
    const failing = failingObject as unknown as Env["BEACON"];
    const failingHubs = failingObject as unknown as Env["HUB"];
    const request = await restRequest("POST", "/events", { body: EVENT });
    const app = defaultApp();
    const apps = { byId: () => app };
    const response = await handleRest(request, new URL(request.url), apps, failing, failingHubs, keptAudit());
    expect({ status: response.status, text: await response.text() }).toEqual({
      status: 500,
      text: "Internal error: the request could not be completed. Try again.\n",
    });
  });
});

async function textOf(response: Response) {
  return { status: response.status, text: await response.text() };
}
