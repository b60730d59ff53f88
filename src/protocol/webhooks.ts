/**
 * Webhook wire names (docs/protocol.md §13; pusher.com/docs/webhooks). Backends
 * check these with their Pusher SDK, so they are fixed by the SDKs, not by us.
 */
export const WEBHOOK_EVENT_TYPES = [
  "channel_occupied",
  "channel_vacated",
  "member_added",
  "member_removed",
  "client_event",
  "cache_miss",
  "subscription_count",
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export function isWebhookEventType(value: unknown): value is WebhookEventType {
  return typeof value === "string" && (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}

export const WEBHOOK_HEADERS = {
  key: "X-Pusher-Key",
  signature: "X-Pusher-Signature",
  /**
   * pusher-http-node's webhook check compares the content type for equality,
   * so any parameter such as a charset makes every webhook "invalid".
   */
  contentType: "Content-Type",
} as const;

export const WEBHOOK_CONTENT_TYPE = "application/json";

/**
 * Pusher holds `channel_vacated` and `member_removed` this long and drops
 * them if the channel or member comes back meanwhile, so a page reload does
 * not flap the backend.
 */
export const WEBHOOK_LEAVE_GRACE_MS = 3000;
