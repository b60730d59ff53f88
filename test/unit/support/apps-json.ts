import { parseAppsJson } from "../../../src/config/apps-json";

/** A secret that must never show up in a problem message: tests check that it does not. */
export const SECRET = "unit-secret-do-not-echo-0123456789";

/** One APPS entry with the required fields, plus `fields`. */
export function app(fields: Record<string, unknown> = {}) {
  return { id: "shop", key: "shop-key", secret: SECRET, ...fields };
}

/** The problem APPS parsing reports for `apps`; fails the test if there is none. */
export function problemOf(apps: unknown): string {
  const result = parseAppsJson(JSON.stringify(apps));
  if (result.ok) throw new Error("expected a problem");
  return result.problem;
}
