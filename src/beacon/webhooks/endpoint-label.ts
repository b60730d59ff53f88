import type { App } from "../../config/app";

/** Only the host is shown or logged: paths and query strings of webhook URLs often carry tokens. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "invalid URL";
  }
}

/**
 * How the dashboard names an endpoint: its host, and its place in the app's
 * configuration when another endpoint shares that host, so that two never
 * read the same and no path or token is shown.
 */
export function endpointLabel(app: Pick<App, "webhooks">, url: string): string {
  const host = hostOf(url);
  const index = app.webhooks.findIndex((endpoint) => endpoint.url === url);
  if (index === -1) return `${host} (no longer configured)`;
  const shared = app.webhooks.some((endpoint, other) => other !== index && hostOf(endpoint.url) === host);
  return shared ? `${host} (#${index + 1})` : host;
}
