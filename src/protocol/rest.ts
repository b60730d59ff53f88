/**
 * Wire knowledge of Pusher's HTTP API (docs/protocol.md §12): signing parameters,
 * info attributes and the status codes backends and their SDKs expect.
 */

/** The only signing scheme Pusher has ever published. */
export const REST_AUTH_VERSION = "1.0";

/** Requests signed further than this from the server's clock are refused (replay protection). */
export const REST_TIMESTAMP_WINDOW_SECONDS = 600;

/** Query parameters that carry the signature rather than the request. */
export const REST_AUTH_PARAMS = {
  key: "auth_key",
  timestamp: "auth_timestamp",
  version: "auth_version",
  signature: "auth_signature",
  bodyMd5: "body_md5",
} as const;

/** The attributes `info=` may ask for. */
export const INFO_ATTRIBUTES = {
  userCount: "user_count",
  subscriptionCount: "subscription_count",
  /** `GET /channels/{cache-channel}` only: the cached event and its seconds to live. */
  cache: "cache",
} as const;

/** `user_count` exists only for presence channels, so `GET /channels` must be filtered to them to ask for it. */
export const USER_COUNT_PREFIX = "presence-";

/**
 * Statuses Pusher documents (api "General"): 400 bad request, 401 signing,
 * 403 app disabled, 404 unknown app or path, 405 wrong method, 413 too large.
 * 429 is an app over its `max_backend_events_per_sec` or `max_read_requests_per_sec`
 * (soketi answers the same). 500 is ours alone: a failure inside Sower,
 * never the caller's fault.
 */
export type RestStatus = 400 | 401 | 403 | 404 | 405 | 413 | 429 | 500;

/** An HTTP API refusal: Pusher answers these as plain text, which every SDK shows as is. */
export interface RestError {
  readonly status: RestStatus;
  readonly message: string;
  /** For 405: the methods the path does accept. */
  readonly allow?: string;
  /** For 429: whole seconds until a retry can succeed (the Retry-After header). */
  readonly retryAfterSeconds?: number;
}

export function restError(status: RestStatus, message: string): RestError {
  return { status, message };
}
