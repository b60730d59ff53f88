import { COUNTERS, type Counter, type StatsSnapshot } from "../contract/stats";
import { jsonObject } from "../lib/json";

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
  history_stored: "Events stored in channel history",
  history_pruned: "Stored events removed by retention (count or age)",
};

/** `GET /apps/{id}/stats`: everything in one JSON object, names as in the metrics. */
export function statsJson(stats: StatsSnapshot): Record<string, unknown> {
  return {
    app_id: stats.appId,
    since: new Date(stats.since).toISOString(),
    now: new Date(stats.now).toISOString(),
    connections: stats.gauges.connections,
    connections_by_key: jsonObject(stats.gauges.connectionsByKey.map(({ key, connections }) => [key, connections])),
    channels: stats.gauges.channels,
    presence_members: stats.gauges.presenceMembers,
    totals: stats.totals,
    rates_per_second: stats.rates,
  };
}

/**
 * `GET /apps/{id}/metrics` and the deployment-wide `/metrics`: Prometheus
 * text exposition format 0.0.4, which every scraper and agent reads, one
 * series per app under each HELP/TYPE header. Totals are counters
 * (Prometheus derives rates itself with rate()); the server's own one-minute
 * rates are offered as gauges for dashboards that do not.
 */
export function statsPrometheus(snapshots: readonly StatsSnapshot[]): string {
  const lines: string[] = [];
  const family = (name: string, type: "gauge" | "counter", help: string, value: (stats: StatsSnapshot) => number) => {
    lines.push(`# HELP sower_${name} ${help}`, `# TYPE sower_${name} ${type}`);
    for (const stats of snapshots) lines.push(`sower_${name}{app_id="${escapeLabel(stats.appId)}"} ${value(stats)}`);
  };
  family("connections", "gauge", "Open WebSocket connections", (stats) => stats.gauges.connections);
  family("channels", "gauge", "Occupied channels", (stats) => stats.gauges.channels);
  family(
    "presence_members",
    "gauge",
    "Presence members, summed over presence channels",
    (stats) => stats.gauges.presenceMembers,
  );
  family("start_time_seconds", "gauge", "When the totals started, in Unix seconds", (stats) =>
    Math.floor(stats.since / 1000),
  );
  for (const name of COUNTERS) {
    const help = COUNTER_HELP[name];
    family(`${name}_total`, "counter", help, (stats) => stats.totals[name]);
    family(
      `${name}_per_second`,
      "gauge",
      `${help}, per second over about the last minute`,
      (stats) => stats.rates[name],
    );
  }
  return `${lines.join("\n")}\n`;
}

/** The exposition text as a response, with the content type scrapers look for. */
export function prometheusResponse(snapshots: readonly StatsSnapshot[]): Response {
  return new Response(statsPrometheus(snapshots), {
    headers: { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" },
  });
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}
