import type { Region } from "../config/placement";
import { isRecord } from "../lib/json";

/** Latitude and longitude in degrees. */
type Point = readonly [number, number];

/**
 * Roughly where each location hint's data centres are, to measure a
 * client's distance to it: the largest metro of each area Cloudflare names
 * (Durable Objects "data location").
 */
const REGION_CENTRES: Readonly<Record<Region, Point>> = {
  wnam: [37.4, -121.9],
  enam: [39.0, -77.5],
  sam: [-23.5, -46.6],
  weur: [50.1, 4.5],
  eeur: [52.2, 21.0],
  apac: [22.3, 114.2],
  oc: [-33.9, 151.2],
  afr: [-26.2, 28.0],
  me: [25.2, 55.3],
};

/** When the request carries no coordinates: a point for its continent (`request.cf.continent`). */
const CONTINENT_POINTS: Readonly<Record<string, Point>> = {
  NA: [39.8, -98.6],
  SA: REGION_CENTRES.sam,
  EU: REGION_CENTRES.weur,
  AF: REGION_CENTRES.afr,
  AS: REGION_CENTRES.apac,
  OC: REGION_CENTRES.oc,
  AN: [-77.8, 166.7],
};

/** Countries Cloudflare's `me` hint serves, which their continent (Asia, or Africa for Egypt) would miss. */
const MIDDLE_EAST = new Set(["AE", "BH", "EG", "IL", "IQ", "IR", "JO", "KW", "LB", "OM", "PS", "QA", "SA", "SY", "YE"]);

/**
 * Where the client is, as well as `request.cf` says (latitude, longitude,
 * continent, country); undefined when it says nothing usable, as in local
 * runs where there is no `cf` at all.
 */
export function clientPoint(cf: unknown): Point | undefined {
  if (!isRecord(cf)) return undefined;
  const latitude = Number(cf.latitude);
  const longitude = Number(cf.longitude);
  const hasCoordinates = cf.latitude !== undefined && cf.longitude !== undefined;
  if (hasCoordinates && Number.isFinite(latitude) && Number.isFinite(longitude)) return [latitude, longitude];
  if (typeof cf.country === "string" && MIDDLE_EAST.has(cf.country)) return REGION_CENTRES.me;
  return typeof cf.continent === "string" ? CONTINENT_POINTS[cf.continent] : undefined;
}

/** The region among `regions` whose centre is nearest the point (the first on a tie). */
export function nearestRegion(point: Point, regions: readonly Region[]): Region | undefined {
  let best: Region | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const region of regions) {
    const distance = greatCircle(point, REGION_CENTRES[region]);
    if (distance < bestDistance) {
      best = region;
      bestDistance = distance;
    }
  }
  return best;
}

/** The central angle between two points (radians): enough to compare distances. */
function greatCircle([lat1, lon1]: Point, [lat2, lon2]: Point): number {
  const radians = Math.PI / 180;
  const dLat = (lat2 - lat1) * radians;
  const dLon = (lon2 - lon1) * radians;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * radians) * Math.cos(lat2 * radians) * Math.sin(dLon / 2) ** 2;
  return 2 * Math.asin(Math.min(1, Math.sqrt(a)));
}
