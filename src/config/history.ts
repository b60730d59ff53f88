import { isRecord, tryParseJson } from "../lib/json";
import { err, ok, type Result } from "../lib/result";
import { describeValue } from "./problems";

/**
 * Which channels of an app keep history, and how much each keeps. Channels
 * no pattern names keep nothing and cost nothing more than without history.
 */
export interface HistoryPolicy {
  /** The patterns as configured, for messages and docs. */
  readonly channels: readonly string[];
  /** One expression for every pattern, so a publish tests a channel once. */
  readonly matcher: RegExp;
  /** Each channel keeps at most this many of its latest events... */
  readonly maxEvents: number;
  /** ... and none older than this. */
  readonly maxSeconds: number;
  /** Whether client events on these channels are stored as well as REST-triggered ones. */
  readonly clientEvents: boolean;
}

export const HISTORY_DEFAULTS = { maxEvents: 1000, maxSeconds: 86_400 } as const;
/** Bounds that keep one channel's rows, and a page read over them, small for a Durable Object. */
export const HISTORY_BOUNDS = { maxEvents: 100_000, maxSeconds: 30 * 86_400 } as const;

/** Channel-name characters, with `*` for any run of them. */
const PATTERN = /^[A-Za-z0-9_\-=@,.;#*]{1,200}$/;

export function historyFor(policy: HistoryPolicy | undefined, channel: string): HistoryPolicy | undefined {
  return policy?.matcher.test(channel) ? policy : undefined;
}

export function parseHistoryJson(text: string, where: string): Result<HistoryPolicy, string> {
  const value = tryParseJson(text);
  if (value === undefined) return err(`${where} is not valid JSON`);
  return parseHistory(value, where);
}

/**
 * `{"channels": ["chat-*", ...], "max_events"?: n, "max_seconds"?: s,
 * "client_events"?: bool}`. The first problem is reported, naming its field.
 */
export function parseHistory(value: unknown, where: string): Result<HistoryPolicy, string> {
  if (!isRecord(value)) return err(`${where} must be an object with "channels", a list of channel name patterns`);
  for (const field of Object.keys(value)) {
    if (!["channels", "max_events", "max_seconds", "client_events"].includes(field)) {
      return err(`${where}.${field} is not a history option (channels, max_events, max_seconds, client_events)`);
    }
  }
  const channels = parsePatterns(value.channels, `${where}.channels`);
  if (!channels.ok) return channels;
  const maxEvents = bounded(
    value.max_events,
    `${where}.max_events`,
    HISTORY_DEFAULTS.maxEvents,
    HISTORY_BOUNDS.maxEvents,
  );
  if (!maxEvents.ok) return maxEvents;
  const maxSeconds = bounded(
    value.max_seconds,
    `${where}.max_seconds`,
    HISTORY_DEFAULTS.maxSeconds,
    HISTORY_BOUNDS.maxSeconds,
  );
  if (!maxSeconds.ok) return maxSeconds;
  const clientEvents = value.client_events ?? false;
  if (typeof clientEvents !== "boolean") {
    return err(`${where}.client_events must be true or false, got ${describeValue(clientEvents)}`);
  }
  return ok({
    channels: channels.value,
    matcher: compile(channels.value),
    maxEvents: maxEvents.value,
    maxSeconds: maxSeconds.value,
    clientEvents,
  });
}

function parsePatterns(value: unknown, where: string): Result<string[], string> {
  if (!Array.isArray(value) || value.length === 0) {
    return err(`${where} must be a non-empty list of channel name patterns such as "chat-*"`);
  }
  const patterns: string[] = [];
  for (const [index, pattern] of value.entries()) {
    if (typeof pattern !== "string" || !PATTERN.test(pattern)) {
      return err(
        `${where}[${index}] must be a channel name in which "*" stands for any characters, got ${describeValue(pattern)}`,
      );
    }
    patterns.push(pattern);
  }
  return ok(patterns);
}

function bounded(value: unknown, where: string, fallback: number, max: number): Result<number, string> {
  if (value === undefined || value === null) return ok(fallback);
  if (Number.isSafeInteger(value) && Number(value) >= 1 && Number(value) <= max) return ok(Number(value));
  return err(`${where} must be a whole number from 1 to ${max}, got ${describeValue(value)}`);
}

function compile(patterns: readonly string[]): RegExp {
  const alternatives = patterns.map((pattern) =>
    pattern
      .split("*")
      .map((part) => part.replace(/[.]/g, "\\."))
      .join(".*"),
  );
  return new RegExp(`^(?:${alternatives.join("|")})$`);
}
