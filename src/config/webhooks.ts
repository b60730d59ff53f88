import { isRecord } from "../protocol/json";
import type { WebhookEndpoint, WebhookEventType } from "./app";
import { describeValue, type Problems } from "./problems";

const EVENT_TYPES: ReadonlySet<string> = new Set<WebhookEventType>([
  "channel_occupied",
  "channel_vacated",
  "member_added",
  "member_removed",
  "client_event",
  "cache_miss",
  "subscription_count",
]);

const FIELDS = new Set(["url", "event_types", "filter", "headers"]);
const FILTER_FIELDS = new Set(["channel_name_starts_with", "channel_name_ends_with"]);

function isEventType(value: unknown): value is WebhookEventType {
  return typeof value === "string" && EVENT_TYPES.has(value);
}

/**
 * A list of webhook endpoints in soketi's shape:
 * `{url, event_types, filter?: {channel_name_starts_with?, channel_name_ends_with?}, headers?}`.
 * Header values are never echoed: they often carry a token.
 */
export function parseWebhooks(value: unknown, where: string, problems: Problems): WebhookEndpoint[] {
  if (!Array.isArray(value)) {
    problems.add(where, `must be a list of webhook endpoints, got ${describeValue(value)}`);
    return [];
  }
  const endpoints: WebhookEndpoint[] = [];
  value.forEach((entry: unknown, index) => {
    const endpoint = parseEndpoint(entry, `${where}[${index}]`, problems);
    if (endpoint !== undefined) endpoints.push(endpoint);
  });
  return endpoints;
}

function parseEndpoint(entry: unknown, where: string, problems: Problems): WebhookEndpoint | undefined {
  if (!isRecord(entry)) {
    problems.add(where, `must be an object with url and event_types, got ${describeValue(entry)}`);
    return undefined;
  }
  const before = problems.count;
  for (const field of Object.keys(entry)) {
    if (!FIELDS.has(field)) problems.add(`${where}.${field}`, "is not a webhook option");
  }
  const url = parseUrl(entry.url, `${where}.url`, problems);
  const eventTypes = parseEventTypes(entry.event_types, `${where}.event_types`, problems);
  const filter = parseFilter(entry.filter, `${where}.filter`, problems);
  const headers = parseHeaders(entry.headers, `${where}.headers`, problems);
  if (problems.count !== before || url === undefined) return undefined;
  return { url, eventTypes, filter, headers };
}

function parseUrl(value: unknown, where: string, problems: Problems): string | undefined {
  const url = typeof value === "string" && URL.canParse(value) ? new URL(value) : undefined;
  if (url === undefined || (url.protocol !== "https:" && url.protocol !== "http:")) {
    problems.add(where, `must be an http(s) URL, got ${describeValue(value)}`);
    return undefined;
  }
  return url.href;
}

function parseEventTypes(value: unknown, where: string, problems: Problems): WebhookEventType[] {
  if (!Array.isArray(value) || value.length === 0) {
    problems.add(where, `must be a non-empty list of event types, got ${describeValue(value)}`);
    return [];
  }
  const types: WebhookEventType[] = [];
  for (const type of value) {
    if (isEventType(type)) types.push(type);
    else problems.add(where, `${nameOf(type)} is not one of ${[...EVENT_TYPES].join(", ")}`);
  }
  return types;
}

/** Shows a mistyped event type only when it looks like one, never arbitrary text. */
function nameOf(value: unknown): string {
  return typeof value === "string" && /^[a-z_]{1,40}$/.test(value) ? `"${value}"` : describeValue(value);
}

function parseFilter(value: unknown, where: string, problems: Problems): WebhookEndpoint["filter"] {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) {
    problems.add(where, `must be an object, got ${describeValue(value)}`);
    return {};
  }
  const filter: { channelNameStartsWith?: string; channelNameEndsWith?: string } = {};
  for (const [field, text] of Object.entries(value)) {
    if (!FILTER_FIELDS.has(field)) problems.add(`${where}.${field}`, "is not a filter option");
    else if (typeof text !== "string")
      problems.add(`${where}.${field}`, `must be a string, got ${describeValue(text)}`);
    else if (field === "channel_name_starts_with") filter.channelNameStartsWith = text;
    else filter.channelNameEndsWith = text;
  }
  return filter;
}

function parseHeaders(value: unknown, where: string, problems: Problems): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) {
    problems.add(where, `must be an object of header names to values, got ${describeValue(value)}`);
    return {};
  }
  const headers: Record<string, string> = {};
  for (const [name, text] of Object.entries(value)) {
    if (typeof text !== "string") problems.add(`${where}.${name}`, `must be a string, got ${describeValue(text)}`);
    else headers[name] = text;
  }
  return headers;
}
