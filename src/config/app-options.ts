import { isRecord } from "../lib/json";
import {
  type App,
  type AppLimits,
  DEFAULT_LIMITS,
  DEFAULT_USER_AUTHENTICATION_TIMEOUT_MS,
  IDENTIFIER,
  IDENTIFIER_RULE,
  MIN_SECRET_LENGTH,
  type WebhookEndpoint,
} from "./app";
import { parseKeyPairs, primaryKey } from "./app-keys";
import { type HistoryPolicy, parseHistory } from "./history";
import { normalizeOriginPattern } from "./origins";
import { readPlacement, shardedLimitProblems } from "./placement";
import { describeValue, type Problems } from "./problems";
import { parseWebhookEndpoints } from "./webhooks";

/** soketi's own spelling of max_read_requests_per_sec, accepted so its app lists carry over. */
const SOKETI_READ_LIMIT = "max_read_req_per_sec";

/** soketi's option names, so an existing soketi app list carries over. */
const OPTIONS = new Set([
  "id",
  "key",
  "secret",
  // Sower's own: further key/secret pairs, for rotating credentials without downtime.
  "keys",
  "enabled",
  "enable_client_messages",
  "max_connections",
  "max_client_events_per_sec",
  "max_backend_events_per_sec",
  "max_read_requests_per_sec",
  SOKETI_READ_LIMIT,
  "max_presence_members_per_channel",
  "max_presence_member_size_in_kb",
  "max_channel_name_length",
  "max_event_channels_at_once",
  "max_event_name_length",
  "max_event_payload_in_kb",
  "max_event_batch_size",
  "enable_user_authentication",
  "user_authentication_timeout",
  "subscription_count_events",
  "allowed_origins",
  "webhooks",
  // Sower's own: which channels keep history (docs/history.md).
  "history",
  // Sower's own: whether calls are recorded in the audit log (docs/audit.md).
  "audit",
  "shards",
  "regions",
  "jurisdiction",
]);

/**
 * One entry of the APPS list. Unset options take Pusher's defaults; every
 * problem is added to `problems` and the app is returned only when it has none.
 */
export function parseApp(entry: unknown, where: string, problems: Problems): App | undefined {
  if (!isRecord(entry)) {
    problems.add(where, `must be an object with id, key and secret, got ${describeValue(entry)}`);
    return undefined;
  }
  const id = identifier(entry.id);
  const named = id === undefined ? where : `${where} (app "${id}")`;
  const before = problems.count;
  const read = new OptionReader(entry, named, problems);
  for (const field of Object.keys(entry)) {
    if (!OPTIONS.has(field)) problems.add(`${named}.${field}`, "is not an app option");
  }
  if (id === undefined) read.problem("id", IDENTIFIER_RULE);
  const key = identifier(entry.key);
  if (key === undefined) read.problem("key", IDENTIFIER_RULE);
  const secret = typeof entry.secret === "string" && entry.secret.length >= MIN_SECRET_LENGTH ? entry.secret : "";
  // The value is never described: whatever was typed there may be a real secret.
  if (secret === "") read.problem("secret", `must be a string of at least ${MIN_SECRET_LENGTH} characters`);
  const pairs = parseKeyPairs(entry.keys, `${named}.keys`, { key: key ?? "", field: "the app's key" }, problems);

  const app: App = {
    id: id ?? "",
    key: key ?? "",
    secret,
    keys: [primaryKey(key ?? "", secret), ...pairs],
    enabled: read.flag("enabled", true),
    enableClientMessages: read.flag("enable_client_messages", false),
    enableUserAuthentication: read.flag("enable_user_authentication", false),
    userAuthenticationTimeoutMs: read.count("user_authentication_timeout", DEFAULT_USER_AUTHENTICATION_TIMEOUT_MS),
    subscriptionCountEvents: read.flag("subscription_count_events", false),
    allowedOrigins: read.origins("allowed_origins"),
    webhooks: read.webhooks("webhooks"),
    limits: readLimits(read),
    audit: read.flag("audit", true),
    ...read.history("history"),
  };
  const placement = readPlacement(
    { shards: entry.shards, regions: entry.regions, jurisdiction: entry.jurisdiction },
    { shards: `${named}.shards`, regions: `${named}.regions`, jurisdiction: `${named}.jurisdiction` },
    problems,
  );
  if (placement !== undefined) shardedLimitProblems(placement, app.limits, named, problems);
  if (problems.count !== before) return undefined;
  return placement === undefined ? app : { ...app, placement };
}

function readLimits(read: OptionReader): AppLimits {
  return {
    maxConnections: read.limit("max_connections", DEFAULT_LIMITS.maxConnections),
    maxClientEventsPerSecond: read.count("max_client_events_per_sec", DEFAULT_LIMITS.maxClientEventsPerSecond),
    maxBackendEventsPerSecond: read.limit("max_backend_events_per_sec", DEFAULT_LIMITS.maxBackendEventsPerSecond),
    maxReadRequestsPerSecond: read.limit(
      read.either("max_read_requests_per_sec", SOKETI_READ_LIMIT),
      DEFAULT_LIMITS.maxReadRequestsPerSecond,
    ),
    maxPresenceMembersPerChannel: read.count(
      "max_presence_members_per_channel",
      DEFAULT_LIMITS.maxPresenceMembersPerChannel,
    ),
    maxPresenceMemberSizeBytes: read.kilobytes(
      "max_presence_member_size_in_kb",
      DEFAULT_LIMITS.maxPresenceMemberSizeBytes,
    ),
    maxChannelNameLength: read.count("max_channel_name_length", DEFAULT_LIMITS.maxChannelNameLength),
    maxEventChannelsAtOnce: read.count("max_event_channels_at_once", DEFAULT_LIMITS.maxEventChannelsAtOnce),
    maxEventNameLength: read.count("max_event_name_length", DEFAULT_LIMITS.maxEventNameLength),
    maxEventPayloadBytes: read.kilobytes("max_event_payload_in_kb", DEFAULT_LIMITS.maxEventPayloadBytes),
    maxEventBatchSize: read.count("max_event_batch_size", DEFAULT_LIMITS.maxEventBatchSize),
  };
}

function identifier(value: unknown): string | undefined {
  // Pusher app ids are numbers; a JSON list written by hand often leaves them unquoted.
  const text = Number.isSafeInteger(value) && Number(value) >= 0 ? String(value) : value;
  return typeof text === "string" && IDENTIFIER.test(text) ? text : undefined;
}

/** Reads typed options from one app entry; an absent (or null) option takes its default. */
class OptionReader {
  constructor(
    private readonly entry: Record<string, unknown>,
    private readonly where: string,
    private readonly problems: Problems,
  ) {}

  problem(field: string, message: string): void {
    this.problems.add(`${this.where}.${field}`, message);
  }

  /** Which of two spellings of one option is set; both at once is a problem. */
  either(name: string, alias: string): string {
    if (this.entry[alias] === undefined) return name;
    if (this.entry[name] !== undefined) this.problem(alias, `is another spelling of ${name}: set only one of them`);
    return alias;
  }

  private invalid(field: string, expected: string): void {
    this.problem(field, `must be ${expected}, got ${describeValue(this.entry[field])}`);
  }

  flag(field: string, fallback: boolean): boolean {
    const value = this.entry[field];
    if (value === undefined || value === null) return fallback;
    if (typeof value === "boolean") return value;
    this.invalid(field, "true or false");
    return fallback;
  }

  /** A whole number of at least 1. */
  count(field: string, fallback: number): number {
    const value = this.entry[field];
    if (value === undefined || value === null) return fallback;
    if (Number.isSafeInteger(value) && Number(value) >= 1) return Number(value);
    this.invalid(field, "a whole number of at least 1");
    return fallback;
  }

  /** Like `count`, where -1 (soketi's spelling) means unlimited; null also does. */
  limit(field: string, fallback: number | null): number | null {
    const value = this.entry[field];
    if (value === undefined) return fallback;
    if (value === null || value === -1) return null;
    if (Number.isSafeInteger(value) && Number(value) >= 1) return Number(value);
    this.invalid(field, "a whole number of at least 1, or -1 for unlimited");
    return fallback;
  }

  /** A size in kilobytes (1 KB = 1024 bytes, fractions allowed), returned in bytes. */
  kilobytes(field: string, fallbackBytes: number): number {
    const value = this.entry[field];
    if (value === undefined || value === null) return fallbackBytes;
    if (typeof value === "number" && Number.isFinite(value) && value * 1024 >= 1) return Math.floor(value * 1024);
    this.invalid(field, "a positive number of kilobytes");
    return fallbackBytes;
  }

  /** soketi's endpoint list, read by the same parser as the single app's WEBHOOKS. */
  webhooks(field: string): WebhookEndpoint[] {
    const value = this.entry[field];
    if (value === undefined || value === null) return [];
    const parsed = parseWebhookEndpoints(value, `${this.where}.${field}`);
    if (parsed.ok) return parsed.value;
    this.problems.addMessage(parsed.error);
    return [];
  }

  /** Spread into the app, so an app without history has no `history` key at all. */
  history(field: string): { history?: HistoryPolicy } {
    const value = this.entry[field];
    if (value === undefined || value === null) return {};
    const parsed = parseHistory(value, `${this.where}.${field}`);
    if (parsed.ok) return { history: parsed.value };
    this.problems.addMessage(parsed.error);
    return {};
  }

  origins(field: string): string[] {
    const value = this.entry[field];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      this.invalid(field, 'a list of origins such as "https://example.com"');
      return [];
    }
    const origins: string[] = [];
    value.forEach((entry: unknown, index) => {
      const origin = typeof entry === "string" ? normalizeOriginPattern(entry) : undefined;
      if (origin !== undefined) origins.push(origin);
      else {
        this.problem(
          `${field}[${index}]`,
          `must be "*", an origin such as "https://example.com" or a wildcard such as "https://*.example.com" (no path), got ${describeValue(entry)}`,
        );
      }
    });
    return origins;
  }
}
