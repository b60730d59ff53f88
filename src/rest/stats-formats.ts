import { COUNTERS, type Counter, type StatsSnapshot } from "../beacon/stats";

/** What each total means, shared by both formats so they never disagree. */
const COUNTER_HELP: Record<Counter, string> = {
  connections: "WebSocket connections accepted",
  messages_in: "Frames received from sockets plus events triggered through the HTTP API",
  bytes_in: "Bytes of those frames and of the triggered events' data",
  messages_out: "Frames delivered to channel subscribers (events and presence notices), one per socket",
  bytes_out: "Bytes of those frames",
  rate_limited: "HTTP API calls refused with 429 by the app's rate limits",
  webhooks_delivered: "Webhook requests answered with 2xx",
  webhooks_retrying: "Webhook attempts that failed and will be retried",
  webhooks_failed: "Webhooks given up after their last retry",
};

/** `GET /apps/{id}/stats`: everything in one JSON object, names as in the metrics. */
export function statsJson(stats: StatsSnapshot): Record<string, unknown> {
  return {
    app_id: stats.appId,
    since: new Date(stats.since).toISOString(),
    now: new Date(stats.now).toISOString(),
    connections: stats.gauges.connections,
    channels: stats.gauges.channels,
    presence_members: stats.gauges.presenceMembers,
    totals: stats.totals,
    rates_per_second: stats.rates,
  };
}

/**
 * `GET /apps/{id}/metrics`: Prometheus text exposition format 0.0.4, which
 * every scraper and agent reads. Totals are counters (Prometheus derives
 * rates itself with rate()); the server's own one-minute rates are offered
 * as gauges for dashboards that do not.
 */
export function statsPrometheus(stats: StatsSnapshot): string {
  const label = `{app_id="${escapeLabel(stats.appId)}"}`;
  const lines: string[] = [];
  const metric = (name: string, type: "gauge" | "counter", help: string, value: number) => {
    lines.push(`# HELP sower_${name} ${help}`, `# TYPE sower_${name} ${type}`, `sower_${name}${label} ${value}`);
  };
  metric("connections", "gauge", "Open WebSocket connections", stats.gauges.connections);
  metric("channels", "gauge", "Occupied channels", stats.gauges.channels);
  metric("presence_members", "gauge", "Presence members, summed over presence channels", stats.gauges.presenceMembers);
  metric("start_time_seconds", "gauge", "When the totals started, in Unix seconds", Math.floor(stats.since / 1000));
  for (const name of COUNTERS) {
    const help = COUNTER_HELP[name];
    metric(`${name}_total`, "counter", help, stats.totals[name]);
    metric(`${name}_per_second`, "gauge", `${help}, per second over about the last minute`, stats.rates[name]);
  }
  return `${lines.join("\n")}\n`;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}
