import { err, ok, type Result } from "../lib/result";

/**
 * The dashboard's settings, as the environment names them; the check of
 * docs/configuration.md reads this list. DASHBOARD_TOKEN is the operator's
 * token: it opens every app, and without it the dashboard is off.
 */
export const DASHBOARD_SETTINGS = ["DASHBOARD_TOKEN"] as const;

/** What the Worker reads for the dashboard: its settings and its two bindings from wrangler.jsonc. */
export interface DashboardEnv extends Readonly<Partial<Record<(typeof DASHBOARD_SETTINGS)[number], string>>> {
  /** The page's static files (wrangler.jsonc `assets`), served only through the Worker. */
  readonly ASSETS?: Fetcher;
  /** Counts login attempts per client address (wrangler.jsonc `ratelimits`). */
  readonly DASHBOARD_LOGINS?: RateLimit;
}

/**
 * The token signs every session and opens every app, so it must be too long
 * to guess; an app's secret needs only 16 because it opens one app.
 */
export const MIN_DASHBOARD_TOKEN_LENGTH = 32;

export type DashboardToken = { readonly state: "off" } | { readonly state: "on"; readonly token: string };

/** Unset or blank turns the dashboard off; a short token is a configuration problem, named without its value. */
export function readDashboardToken(env: DashboardEnv): Result<DashboardToken, string> {
  const token = env.DASHBOARD_TOKEN ?? "";
  if (token.trim() === "") return ok({ state: "off" });
  if (token.length < MIN_DASHBOARD_TOKEN_LENGTH) {
    return err(
      `DASHBOARD_TOKEN is shorter than ${MIN_DASHBOARD_TOKEN_LENGTH} characters: set a long random one ` +
        "with `wrangler secret put DASHBOARD_TOKEN` (e.g. the output of `openssl rand -hex 32`)",
    );
  }
  return ok({ state: "on", token });
}
