export interface MetricsEnv {
  /** Enables `GET /metrics` for every app at once, for scrapers that cannot sign Pusher requests. */
  readonly METRICS_TOKEN?: string;
}

/** Shorter tokens are too easy to guess for an endpoint that lists every app. */
const MIN_TOKEN_LENGTH = 16;

/** The bearer token of `GET /metrics`, or undefined when the endpoint is off (unset or too short). */
export function metricsToken(env: MetricsEnv): string | undefined {
  const token = env.METRICS_TOKEN ?? "";
  return token.length >= MIN_TOKEN_LENGTH ? token : undefined;
}
