/**
 * The `pusher` SDK sends its REST calls with `require("node-fetch").default`.
 * Wrangler's nodejs_compat replaces node-fetch with a module that has no
 * `default`, so every trigger would fail with "fetch is not a function"
 * (pusher/pusher-http-node#209). wrangler.jsonc aliases node-fetch to this
 * file instead: the platform's own fetch, which is all the SDK needs.
 */
export default function nodeFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  return fetch(input, init);
}
