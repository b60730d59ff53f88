import { isRecord, tryParseJson } from "../lib/json";
import { type Gauges, readTotals, type StatsSample, type Totals } from "./stats";

/**
 * What one object publishes to the stats registry for `GET /metrics`: its
 * share of an app's figures (today the app's one Beacon; with sharding,
 * each object of the app publishes its own and the scrape adds them up).
 * Rates are not published but taken at scrape time from `samples`, so an
 * app that went quiet shows its rates falling to zero while it sleeps.
 */
export interface PublishedStats {
  readonly appId: string;
  readonly since: number;
  /** Unix milliseconds: when these figures were true. */
  readonly at: number;
  readonly gauges: Gauges;
  readonly totals: Totals;
  readonly samples: readonly StatsSample[];
}

/**
 * Reads one stored record back. The registry keeps records across
 * deploys, so one written by another version is read as far as it goes
 * (a counter it lacked reads 0) and one that is not a record at all is
 * undefined, to be skipped.
 */
export function parsePublishedStats(json: string): PublishedStats | undefined {
  const value = tryParseJson(json);
  if (!isRecord(value) || typeof value.appId !== "string") return undefined;
  const { since, at, gauges } = value;
  if (!isTime(since) || !isTime(at) || !isRecord(gauges)) return undefined;
  const samples: StatsSample[] = [];
  for (const sample of Array.isArray(value.samples) ? value.samples : []) {
    if (isRecord(sample) && isTime(sample.at)) samples.push({ at: sample.at, totals: readTotals(sample.totals) });
  }
  return {
    appId: value.appId,
    since,
    at,
    gauges: {
      connections: count(gauges.connections),
      connectionsByKey: readConnectionsByKey(gauges.connectionsByKey),
      channels: count(gauges.channels),
      presenceMembers: count(gauges.presenceMembers),
    },
    totals: readTotals(value.totals),
    samples,
  };
}

/** A record from before key rotation has no split by key: it reads as none. */
function readConnectionsByKey(value: unknown): Gauges["connectionsByKey"] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry: unknown) =>
    isRecord(entry) && typeof entry.key === "string" ? [{ key: entry.key, connections: count(entry.connections) }] : [],
  );
}

function isTime(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}
