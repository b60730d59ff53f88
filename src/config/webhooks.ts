import { isRecord, jsonObject, tryParseJson } from "../lib/json";
import { err, ok, type Result } from "../lib/result";
import { isWebhookEventType, WEBHOOK_EVENT_TYPES, WEBHOOK_HEADERS, type WebhookEventType } from "../protocol/webhooks";
import type { WebhookEndpoint } from "./app";

/** RFC 9110 token characters: anything else makes `new Headers()` throw at delivery time. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers that carry the signature check; letting config replace them would break every webhook. */
const RESERVED_HEADERS = new Set(Object.values(WEBHOOK_HEADERS).map((name) => name.toLowerCase()));

/**
 * Parses a JSON list of webhook endpoints in soketi's format:
 * `[{"url", "event_types": [...], "filter"?: {"channel_name_starts_with"?,
 * "channel_name_ends_with"?}, "headers"?: {...}}]`.
 *
 * `where` names the setting in messages ("WEBHOOKS", "apps[2].webhooks").
 * Messages point at the wrong field and never repeat a value: URLs and
 * headers often hold tokens.
 */
export function parseWebhookEndpointsJson(text: string, where: string): Result<WebhookEndpoint[], string> {
  const value = tryParseJson(text);
  if (value === undefined) return err(`${where} is not valid JSON`);
  return parseWebhookEndpoints(value, where);
}

export function parseWebhookEndpoints(value: unknown, where: string): Result<WebhookEndpoint[], string> {
  if (!Array.isArray(value)) return err(`${where} must be a JSON list of webhook endpoints`);
  const endpoints: WebhookEndpoint[] = [];
  for (const [index, item] of value.entries()) {
    const endpoint = parseEndpoint(item, `${where}[${index}]`);
    if (!endpoint.ok) return endpoint;
    // Queued events name their endpoint by URL, so one URL must mean one endpoint.
    const earlier = endpoints.findIndex((other) => other.url === endpoint.value.url);
    if (earlier !== -1) {
      return err(
        `${where}[${index}].url repeats the url of ${where}[${earlier}]: give one endpoint all its event types`,
      );
    }
    endpoints.push(endpoint.value);
  }
  return ok(endpoints);
}

function parseEndpoint(value: unknown, where: string): Result<WebhookEndpoint, string> {
  if (!isRecord(value)) return err(`${where} must be an object with url and event_types`);
  const url = parseUrl(value.url, `${where}.url`);
  if (!url.ok) return url;
  const eventTypes = parseEventTypes(value.event_types, `${where}.event_types`);
  if (!eventTypes.ok) return eventTypes;
  const filter = parseFilter(value.filter, `${where}.filter`);
  if (!filter.ok) return filter;
  const headers = parseHeaders(value.headers, `${where}.headers`);
  if (!headers.ok) return headers;
  return ok({ url: url.value, eventTypes: eventTypes.value, filter: filter.value, headers: headers.value });
}

function parseUrl(value: unknown, where: string): Result<string, string> {
  if (typeof value !== "string" || value.length === 0) return err(`${where} must be a non-empty string`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return err(`${where} is not a valid absolute URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return err(`${where} must be an http or https URL`);
  return ok(url.href);
}

function parseEventTypes(value: unknown, where: string): Result<WebhookEventType[], string> {
  if (!Array.isArray(value) || value.length === 0) {
    return err(`${where} must be a non-empty list of: ${WEBHOOK_EVENT_TYPES.join(", ")}`);
  }
  const types: WebhookEventType[] = [];
  for (const [index, item] of value.entries()) {
    if (!isWebhookEventType(item)) {
      return err(`${where}[${index}] is not one of: ${WEBHOOK_EVENT_TYPES.join(", ")}`);
    }
    if (!types.includes(item)) types.push(item);
  }
  return ok(types);
}

function parseFilter(value: unknown, where: string): Result<WebhookEndpoint["filter"], string> {
  if (value === undefined || value === null) return ok({});
  if (!isRecord(value)) return err(`${where} must be an object`);
  const filter: { channelNameStartsWith?: string; channelNameEndsWith?: string } = {};
  for (const key of Object.keys(value)) {
    if (key !== "channel_name_starts_with" && key !== "channel_name_ends_with") {
      return err(`${where} has an unknown field (expected channel_name_starts_with or channel_name_ends_with)`);
    }
  }
  const startsWith = value.channel_name_starts_with;
  if (startsWith !== undefined) {
    if (typeof startsWith !== "string") return err(`${where}.channel_name_starts_with must be a string`);
    filter.channelNameStartsWith = startsWith;
  }
  const endsWith = value.channel_name_ends_with;
  if (endsWith !== undefined) {
    if (typeof endsWith !== "string") return err(`${where}.channel_name_ends_with must be a string`);
    filter.channelNameEndsWith = endsWith;
  }
  return ok(filter);
}

function parseHeaders(value: unknown, where: string): Result<Record<string, string>, string> {
  if (value === undefined || value === null) return ok({});
  if (!isRecord(value)) return err(`${where} must be an object of header names to string values`);
  const headers: Array<[string, string]> = [];
  for (const [index, [name, headerValue]] of Object.entries(value).entries()) {
    // An invalid name is shown by position only: it may be a token pasted in the wrong place.
    if (!HEADER_NAME.test(name))
      return err(`${where} entry ${index + 1} has a name that is not a valid HTTP header name`);
    if (RESERVED_HEADERS.has(name.toLowerCase())) {
      return err(`${where}.${name} is set by the server itself and may not be configured`);
    }
    if (typeof headerValue !== "string" || /[\r\n\0]/.test(headerValue)) {
      return err(`${where}.${name} must be a string without line breaks`);
    }
    headers.push([name, headerValue]);
  }
  return ok(jsonObject(headers));
}
