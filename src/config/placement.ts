import { describeValue, type Problems } from "./problems";

/**
 * Durable Object location hints an app may name as its regions (Cloudflare's
 * `locationHint`). A hint is a preference the platform may not honour; see
 * docs/scaling.md, "Where a socket goes".
 */
export const REGIONS = ["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"] as const;
export type Region = (typeof REGIONS)[number];

/** The jurisdictions Durable Objects can be restricted to (`namespace.jurisdiction(...)`). */
export const JURISDICTIONS = ["eu", "us", "fedramp", "fedramp-high"] as const;
export type Jurisdiction = (typeof JURISDICTIONS)[number];

/**
 * The regions a jurisdiction leaves a hint any meaning in: a hint outside
 * them is one the platform cannot honour, so naming it is a mistake.
 */
const JURISDICTION_REGIONS: Readonly<Record<Jurisdiction, readonly Region[]>> = {
  eu: ["weur", "eeur"],
  us: ["wnam", "enam"],
  fedramp: ["wnam", "enam"],
  "fedramp-high": ["wnam", "enam"],
};

/**
 * Past this many shards, `GET /channels` and the stats (which ask every shard)
 * stop being cheap, and 64 shards of 30,000 sockets each is already about two
 * million connections.
 */
export const MAX_SHARDS = 64;

/** Where an app's Durable Objects live and how many hold its sockets. */
export interface Placement {
  /** Socket-holding objects; 1 is one Beacon per app, the unsharded path. */
  readonly shards: number;
  /** Location hints the shards are dealt to in turn; empty means no hint. */
  readonly regions: readonly Region[];
  /** Every object of the app is created in this jurisdiction when set. */
  readonly jurisdiction?: Jurisdiction;
}

/** The three settings as given in APPS (the single app's settings are read into the same form, see `fromEnv`). */
export interface PlacementValues {
  readonly shards: unknown;
  readonly regions: unknown;
  readonly jurisdiction: unknown;
}

/** What each of the three is called where it was set, for problem messages. */
export interface PlacementNames {
  readonly shards: string;
  readonly regions: string;
  readonly jurisdiction: string;
}

/**
 * Reads the three placement settings. Nothing set gives undefined: the app
 * runs on one Beacon, exactly as before these settings existed.
 */
export function readPlacement(
  values: PlacementValues,
  names: PlacementNames,
  problems: Problems,
): Placement | undefined {
  const given = (value: unknown) => value !== undefined && value !== null && value !== "";
  if (!given(values.shards) && !given(values.regions) && !given(values.jurisdiction)) return undefined;
  const read = readShards(values.shards, names.shards, problems);
  const shards = read ?? 1;
  const regions = readRegions(values.regions, names.regions, problems);
  const jurisdiction = readJurisdiction(values.jurisdiction, names.jurisdiction, problems);
  if (read !== undefined && regions.length > shards) {
    problems.addMessage(
      `${names.regions} names ${regions.length} regions for ${shards} shard${shards === 1 ? "" : "s"}: ` +
        `each region needs a shard of its own, so raise ${names.shards} or name fewer regions`,
    );
  }
  if (jurisdiction !== undefined) {
    const allowed = JURISDICTION_REGIONS[jurisdiction];
    const outside = regions.filter((region) => !allowed.includes(region));
    if (outside.length > 0) {
      problems.addMessage(
        `${names.regions} names ${outside.join(", ")}, outside the ${jurisdiction} jurisdiction: ` +
          `its objects can only be placed in ${allowed.join(" or ")}`,
      );
    }
  }
  return jurisdiction === undefined ? { shards, regions } : { shards, regions, jurisdiction };
}

/** Undefined when the value is not a valid count (the problem is then recorded). */
function readShards(value: unknown, name: string, problems: Problems): number | undefined {
  if (value === undefined || value === null || value === "") return 1;
  if (Number.isSafeInteger(value) && Number(value) >= 1 && Number(value) <= MAX_SHARDS) return Number(value);
  problems.addMessage(`${name} must be a whole number from 1 to ${MAX_SHARDS}, got ${describeValue(value)}`);
  return undefined;
}

function readRegions(value: unknown, name: string, problems: Problems): Region[] {
  if (value === undefined || value === null || value === "") return [];
  const list = value;
  if (!Array.isArray(list)) {
    problems.addMessage(
      `${name} must be a list of location hints (${REGIONS.join(", ")}), got ${describeValue(value)}`,
    );
    return [];
  }
  const regions: Region[] = [];
  for (const entry of list) {
    const region = REGIONS.find((candidate) => candidate === entry);
    if (region === undefined) {
      problems.addMessage(`${name} may only name ${REGIONS.join(", ")}, got ${describeValue(entry)}`);
    } else if (regions.includes(region)) {
      problems.addMessage(`${name} names ${region} twice`);
    } else {
      regions.push(region);
    }
  }
  return regions;
}

/**
 * The single app's SHARDS, REGIONS and JURISDICTION in the form APPS gives
 * them: a count of digits as a number, regions as a comma-separated list,
 * blank as unset.
 */
export function placementFromEnv(env: {
  readonly SHARDS?: string;
  readonly REGIONS?: string;
  readonly JURISDICTION?: string;
}): PlacementValues {
  const shards = env.SHARDS?.trim() ?? "";
  const regions = env.REGIONS?.trim() ?? "";
  return {
    shards: /^\d+$/.test(shards) ? Number(shards) : shards,
    regions: regions === "" ? undefined : regions.split(",").map((region) => region.trim()),
    jurisdiction: env.JURISDICTION?.trim(),
  };
}

function readJurisdiction(value: unknown, name: string, problems: Problems): Jurisdiction | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const jurisdiction = JURISDICTIONS.find((candidate) => candidate === value);
  if (jurisdiction === undefined) {
    problems.addMessage(`${name} must be one of ${JURISDICTIONS.join(", ")}, got ${describeValue(value)}`);
  }
  return jurisdiction;
}

/**
 * A per-second limit is exact only where every call of the app is counted,
 * and one object that every call passes through is what sharding removes
 * (docs/scaling.md). A sharded app with such a limit is refused rather than
 * limited loosely.
 */
export function shardedLimitProblems(
  placement: Placement,
  limits: { readonly maxBackendEventsPerSecond: number | null; readonly maxReadRequestsPerSecond: number | null },
  where: string,
  problems: Problems,
): void {
  if (placement.shards === 1) return;
  const set = [
    limits.maxBackendEventsPerSecond === null ? undefined : "max_backend_events_per_sec",
    limits.maxReadRequestsPerSecond === null ? undefined : "max_read_requests_per_sec",
  ].filter((name) => name !== undefined);
  if (set.length === 0) return;
  problems.add(
    where,
    `${set.join(" and ")} cannot be enforced across shards: an app-wide per-second count needs one object on the path of every call, which is what shards remove; use shards 1 or leave the limit unset`,
  );
}
