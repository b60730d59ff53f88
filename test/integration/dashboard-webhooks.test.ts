import { describe, expect, it } from "vitest";
import type { EndpointBacklog, WebhookAttempt } from "../../src/contract/console";
import { DEFAULT_APP } from "./support/apps";
import { subscribe, unique } from "./support/channels";
import { DASHBOARD_TOKEN, dashboard, json, logIn } from "./support/dashboard";
import { connect } from "./support/socket";
import { ALL_EVENTS_URL, poll, settled, WebhookRecorder } from "./support/webhooks";

const app = DEFAULT_APP.id;
/** Three of the app's endpoints share the host, so each is named by its place too. */
const ALL_EVENTS = "webhooks.test (#1)";

interface View {
  backlogs: EndpointBacklog[];
  recent: WebhookAttempt[];
  held: number;
  failed_objects: number;
}

async function webhooksView(cookie: string): Promise<View> {
  const response = await dashboard(`/api/apps/${app}/webhooks`, { cookie });
  expect(response.status).toBe(200);
  const body = await json(response);
  return {
    backlogs: Array.isArray(body.backlogs) ? body.backlogs : [],
    recent: Array.isArray(body.recent) ? body.recent : [],
    held: Number(body.held),
    failed_objects: Number(body.failed_objects),
  };
}

describe("the webhooks view", () => {
  it("shows a failing endpoint's queue and last error, and retry now delivers it before its back-off ends", async () => {
    const cookie = await logIn({ token: DASHBOARD_TOKEN });
    const recorder = new WebhookRecorder();
    const restore = recorder.install();
    const channel = `${unique("dash-hooks-")}-wh`;
    const release = recorder.failUntilReleased(ALL_EVENTS_URL, channel);
    const socket = await connect();
    try {
      await subscribe(socket, channel);
      // Three failed attempts put the next one 4 s away: long enough to tell "now" from the back-off.
      const failing = await poll(12_000, "three failed attempts in the view", async () => {
        const view = await webhooksView(cookie);
        const backlog = view.backlogs.find((each) => each.endpoint === ALL_EVENTS && each.attempts >= 3);
        return backlog === undefined ? undefined : { view, backlog };
      });
      expect(failing.backlog).toMatchObject({ pending: 1, nextAttemptAt: expect.any(Number) });
      expect(failing.view.failed_objects).toBe(0);
      expect(failing.view.recent).toContainEqual(
        expect.objectContaining({
          endpoint: ALL_EVENTS,
          types: ["channel_occupied"],
          events: 1,
          ok: false,
          error: "HTTP 500",
        }),
      );
      const view = JSON.stringify(failing.view);
      expect(view).not.toContain("http://");
      expect(view).not.toContain("/all");

      release();
      const retried = await dashboard(`/api/apps/${app}/webhooks/retry`, { cookie, body: {} });
      expect(retried.status).toBe(200);
      expect(await json(retried)).toMatchObject({ queued: expect.any(Number), failed_objects: 0 });
      const delivered = await recorder.waitFor(ALL_EVENTS_URL, channel, 1);
      expect(delivered).toEqual([expect.objectContaining({ name: "channel_occupied", channel })]);
      const arrived = recorder.requests(ALL_EVENTS_URL, channel).find((request) => request.status === 200);
      expect(arrived?.at).toBeLessThan(failing.backlog.nextAttemptAt ?? 0);

      const recovered = await poll(8000, "the endpoint to show as recovered", async () => {
        const now = await webhooksView(cookie);
        const backlog = now.backlogs.find(
          (each) => each.endpoint === ALL_EVENTS && each.source === failing.backlog.source,
        );
        const success = now.recent.find((attempt) => attempt.endpoint === ALL_EVENTS && attempt.ok);
        return backlog === undefined && success !== undefined ? success : undefined;
      });
      expect(recovered).toMatchObject({ types: ["channel_occupied"], error: "" });
    } finally {
      release();
      socket.ws.close(1000);
      await settled(channel);
      restore();
    }
  }, 30_000);

  it("takes retry now only as a POST from the dashboard's own page", async () => {
    const cookie = await logIn({ token: DASHBOARD_TOKEN });
    const crossSite = await dashboard(`/api/apps/${app}/webhooks/retry`, {
      cookie,
      body: {},
      headers: { "Sec-Fetch-Site": "cross-site" },
    });
    expect(crossSite.status).toBe(403);
    const asGet = await dashboard(`/api/apps/${app}/webhooks/retry`, { cookie });
    expect(asGet.status).toBe(405);
    const tenant = await logIn({ key: "tenant-a-key", secret: "tenant-a-secret-0123456789" });
    const other = await dashboard(`/api/apps/${app}/webhooks/retry`, { cookie: tenant, body: {} });
    expect(other.status).toBe(403);
  });
});
