import { CACHED_PREFIX, MEMBERS_PREFIX } from "./src/channels.ts";

/**
 * Sower's `WEBHOOKS` setting for a rooms backend at `backendOrigin`: votes
 * (client events) and leaves from the rooms' members channels, and cache
 * misses on their cached channels. Sower signs each request with the app
 * secret, which the backend checks with the `pusher` SDK. Sower takes one
 * URL for one endpoint, so the two filters get two URLs (the query differs;
 * the backend answers both the same way).
 */
export function sowerWebhooks(backendOrigin: string) {
  const url = `${backendOrigin}/pusher/webhooks`;
  return [
    {
      url: `${url}?from=members`,
      event_types: ["member_removed", "client_event"],
      filter: { channel_name_starts_with: MEMBERS_PREFIX },
    },
    { url: `${url}?from=cache`, event_types: ["cache_miss"], filter: { channel_name_starts_with: CACHED_PREFIX } },
  ];
}
