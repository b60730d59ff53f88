import type { Metered } from "../contract/rpc";
import { downsample, MINUTE_MS, minuteOf, SERIES_COUNTERS } from "../contract/series";
import { ok } from "../lib/result";
import { appSeries } from "../sharded/series";
import type { AppAccess } from "./reads";
import { fromRestError, refusal } from "./replies";

/** Each graph's window, and the minutes per point it is drawn at: a day at one point a minute would be 1,440 points. */
export const GRAPH_RANGES = {
  hour: { minutes: 60, step: 1 },
  day: { minutes: 24 * 60, step: 5 },
} as const;

/** What the Apps view flags looks back this far: a failure an hour ago is history, not a status. */
export const RECENT_MINUTES = 15;

const DAY_MS = 24 * 60 * MINUTE_MS;

/**
 * `GET api/apps/{id}/series?range=hour|day`: the app's figures as columns,
 * one value per point, the first point at `from` (Unix ms) and one every
 * `step_seconds`. `connections` is the most sockets open at once in each
 * point; every other column is what happened in it.
 */
export async function seriesReply(access: AppAccess, query: URLSearchParams, now: number): Promise<Response> {
  const range = query.get("range") ?? "hour";
  if (range !== "hour" && range !== "day") return refusal(400, "range must be hour or day");
  const { minutes, step } = GRAPH_RANGES[range];
  const to = minuteOf(now);
  const read = await appSeries(access.app, access.beacons, to - minutes + 1, to);
  if (!read.ok) return fromRestError(read.error);
  const series = downsample(read.value, step);
  const columns = Object.fromEntries(SERIES_COUNTERS.map((name) => [name, series.counts[name]]));
  return Response.json({
    range,
    from: series.from * MINUTE_MS,
    step_seconds: (series.step * MINUTE_MS) / 1000,
    connections: series.connections,
    ...columns,
  });
}

/** What the Apps view shows beside the live figures. */
export interface AppToday {
  /** The most sockets open at once since 00:00 UTC (for a sharded app, see docs/dashboard.md). */
  readonly peak_today: number;
  /** Webhook events whose delivery failed (to be retried, or given up) in the last RECENT_MINUTES. */
  readonly webhook_failures_recent: number;
  /** Calls refused by the app's rate limits in the last RECENT_MINUTES. */
  readonly rate_limited_recent: number;
}

export async function appToday(access: AppAccess, now: number): Promise<Metered<AppToday>> {
  const to = minuteOf(now);
  const midnight = minuteOf(now - (now % DAY_MS));
  const recent = to - RECENT_MINUTES + 1;
  const from = Math.min(midnight, recent);
  const read = await appSeries(access.app, access.beacons, from, to);
  if (!read.ok) return read;
  const { connections, counts } = read.value;
  const since = (values: readonly number[], minute: number) => values.slice(minute - from);
  const total = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0);
  return ok({
    peak_today: Math.max(0, ...since(connections, midnight)),
    webhook_failures_recent:
      total(since(counts.webhooks_retrying, recent)) + total(since(counts.webhooks_failed, recent)),
    rate_limited_recent: total(since(counts.rate_limited, recent)),
  });
}
