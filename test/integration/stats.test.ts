import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { signToken } from "../../src/auth/signatures";
import type { StatsSnapshot } from "../../src/contract/stats";
import { appStats } from "../../src/sharded/stats";
import { appRest } from "./support/app-rest";
import { connectApp } from "./support/app-sockets";
import { DEFAULT_APP, METERED_APP, type TestApp } from "./support/apps";
import { configuredApp, hibernateApp } from "./support/objects";
import { ALL_EVENTS_URL, COUNTS_URL, poll, WebhookRecorder } from "./support/webhooks";

/**
 * The app's statistics as its stats endpoint reads them: its Beacon's, or its shards' together.
 * None of these apps has a read limit, so a refusal fails the test.
 */
async function readStats(app: TestApp = METERED_APP): Promise<StatsSnapshot> {
  const stats = await appStats(configuredApp(app.id), env.BEACON);
  if (!stats.ok) throw new Error(`stats of ${app.id} refused: ${stats.error.message}`);
  return stats.value;
}

describe("per-app statistics", () => {
  it("counts connections, channels, presence members, messages and bytes, and keeps totals through eviction", async () => {
    const a = await connectApp(METERED_APP.key);
    const b = await connectApp(METERED_APP.key);
    const channel = "private-metered";
    const subscribes: string[] = [];
    for (const socket of [a, b]) {
      const frame = JSON.stringify({
        event: "pusher:subscribe",
        data: { channel, auth: await signToken(METERED_APP, `${socket.socketId}:${channel}`) },
      });
      subscribes.push(frame);
      socket.send(frame);
      await socket.nextEvent("pusher_internal:subscription_succeeded");
    }
    const presence = "presence-metered";
    const channelData = JSON.stringify({ user_id: "u1", user_info: {} });
    const auth = await signToken(METERED_APP, `${a.socketId}:${presence}:${channelData}`);
    const join = JSON.stringify({
      event: "pusher:subscribe",
      data: { channel: presence, auth, channel_data: channelData },
    });
    a.send(join);
    await a.nextEvent("pusher_internal:subscription_succeeded");
    const clientEvent = JSON.stringify({ event: "client-ping", channel, data: { n: 1 } });
    a.send(clientEvent);
    const delivered = await b.nextEvent("client-ping");

    const stats = await readStats();
    expect(stats?.appId).toBe(METERED_APP.id);
    expect(stats?.gauges).toEqual({
      connections: 2,
      connectionsByKey: [{ key: METERED_APP.key, connections: 2 }],
      channels: 2,
      presenceMembers: 1,
    });
    const sent = [...subscribes, join, clientEvent];
    expect(stats?.totals).toMatchObject({
      connections: 2,
      messages_in: sent.length,
      bytes_in: sent.reduce((sum, frame) => sum + new TextEncoder().encode(frame).length, 0),
      messages_out: 1,
      bytes_out: new TextEncoder().encode(JSON.stringify(delivered)).length,
      webhooks_delivered: 0,
    });
    expect(stats?.rates.messages_in).toBeGreaterThan(0);

    await hibernateApp(METERED_APP.id, channel, presence);
    const after = await readStats();
    expect(after?.totals).toEqual(stats?.totals);
    expect(after?.since).toBe(stats?.since);
    expect(after?.gauges).toEqual({
      connections: 2,
      connectionsByKey: [{ key: METERED_APP.key, connections: 2 }],
      channels: 2,
      presenceMembers: 1,
    });
  });

  it("counts webhook events delivered and retried", async () => {
    const recorder = new WebhookRecorder();
    const restore = recorder.install();
    try {
      const socket = await connectApp(DEFAULT_APP.key);
      const channel = `room-stats-${Date.now()}-wh`;
      recorder.answerNext(ALL_EVENTS_URL, channel, "fail");
      socket.send({ event: "pusher:subscribe", data: { channel, auth: "" } });
      await socket.nextEvent("pusher_internal:subscription_succeeded");
      // channel_occupied to the all-events endpoint (after one failure), subscription_count to the counts one.
      await recorder.waitFor(ALL_EVENTS_URL, channel, 1);
      await recorder.waitFor(COUNTS_URL, channel, 1);
      const totals = await poll(4000, "both deliveries to be counted", async () => {
        const stats = await readStats(DEFAULT_APP);
        return stats.totals.webhooks_delivered >= 2 ? stats.totals : undefined;
      });
      expect(totals).toMatchObject({ webhooks_delivered: 2, webhooks_retrying: 1, webhooks_failed: 0 });
      socket.ws.close(1000);
    } finally {
      restore();
    }
  });

  it("serves them to a signed request as JSON and as Prometheus text, and to nobody else", async () => {
    await connectApp(METERED_APP.key);
    const json = await appRest(METERED_APP, "GET", "/stats");
    expect(json.status).toBe(200);
    const body = JSON.parse(json.text);
    expect(body).toMatchObject({ app_id: METERED_APP.id, totals: { connections: 3 } });
    expect(body.connections).toBe(3);
    expect(json.text).not.toContain(METERED_APP.secret);

    const metrics = await appRest(METERED_APP, "GET", "/metrics");
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(metrics.text).toContain('sower_connections{app_id="metered"} 3\n');
    expect(metrics.text).toContain('sower_connections_total{app_id="metered"} 3\n');

    // Another app's credentials, or none, get nothing.
    expect((await appRest(METERED_APP, "GET", "/stats", { signer: DEFAULT_APP })).status).toBe(401);
    const unsigned = await SELF.fetch(`http://sower.test/apps/${METERED_APP.id}/metrics`);
    expect(unsigned.status).toBe(401);
  });
});
