import { readFileSync } from "node:fs";
import type { AppCredentials } from "../../src/auth/signatures";

/**
 * Reads the known-answer vectors in test/vectors/: data copied from Pusher's
 * server SDKs' own test suites, each naming the repository, file, commit and
 * test it came from. Every file is checked field by field, so a typo in the
 * data fails loudly instead of testing nothing.
 */

type Pair = [key: string, value: string];
type Fields = Record<string, unknown>;

export interface Labelled {
  /** Repository, file, commit and test name, for the test's title. */
  readonly source: string;
}

/** A subscription or sign-in token: `subject` is the channel name, or the user_data for sign-in. */
export interface TokenVector extends Labelled {
  readonly socketId: string;
  readonly subject: string;
  readonly channelData: string | undefined;
  /** Set when the source asserts the string it signs. */
  readonly stringToSign: string | undefined;
  /** Set when the source asserts the token; then `app` is set too. */
  readonly auth: { readonly app: AppCredentials; readonly token: string } | undefined;
}

export interface RestVector extends Labelled {
  readonly app: AppCredentials;
  readonly method: string;
  readonly path: string;
  /** Every query parameter the SDK sends but `auth_signature`. */
  readonly params: Pair[];
  readonly body: string;
  readonly signature: string;
  readonly timestamp: number;
  readonly stringToSign: string | undefined;
}

export interface StringToSignVector extends Labelled {
  readonly method: string;
  readonly path: string;
  readonly params: Pair[];
  /** What the source expects; `contains` when it only asserts a part. */
  readonly expected: { readonly text: string; readonly contains: boolean };
  /** Where Sower follows Pusher's spec and the SDK does not: the string Sower builds, and why. */
  readonly differs: { readonly stringToSign: string; readonly reason: string } | undefined;
}

export interface Md5Vector extends Labelled {
  readonly body: string;
  readonly md5: string;
}

export interface WebhookVector extends Labelled {
  readonly secret: string;
  readonly body: string;
  readonly signature: string;
}

const DIRECTORY = new URL("../vectors/", import.meta.url);

export function loadTokenVectors(file: string, subjectField: "channel" | "user_data"): TokenVector[] {
  return list(read(file), "vectors", file).map((fields) => {
    const auth = optionalText(fields, "auth");
    const stringToSign = optionalText(fields, "string_to_sign");
    if (auth === undefined && stringToSign === undefined) fail(fields, "needs auth or string_to_sign");
    return {
      source: source(fields),
      socketId: text(fields, "socket_id"),
      subject: text(fields, subjectField),
      channelData: optionalText(fields, "channel_data"),
      stringToSign,
      auth: auth === undefined ? undefined : { app: app(fields), token: auth },
    };
  });
}

export function loadRestVectors(file: string): RestVector[] {
  return list(read(file), "vectors", file).map((fields) => {
    const params = pairs(fields);
    const timestamps = params.filter(([key]) => key === "auth_timestamp");
    if (timestamps.length !== 1) fail(fields, "needs exactly one auth_timestamp parameter");
    return {
      source: source(fields),
      app: app(fields),
      method: text(fields, "method"),
      path: text(fields, "path"),
      params,
      body: text(fields, "body"),
      signature: text(fields, "signature"),
      timestamp: Number(timestamps[0]?.[1]),
      stringToSign: optionalText(fields, "string_to_sign"),
    };
  });
}

export function loadStringToSignVectors(file: string): StringToSignVector[] {
  return list(read(file), "strings_to_sign", file).map((fields) => {
    const exact = optionalText(fields, "string_to_sign");
    const part = optionalText(fields, "string_to_sign_contains");
    const expected = exact ?? part;
    if (expected === undefined) fail(fields, "needs string_to_sign or string_to_sign_contains");
    const differs = fields.differs;
    return {
      source: source(fields),
      method: text(fields, "method"),
      path: text(fields, "path"),
      params: pairs(fields),
      expected: { text: expected, contains: exact === undefined },
      differs: isFields(differs)
        ? { stringToSign: text(differs, "string_to_sign"), reason: text(differs, "reason") }
        : undefined,
    };
  });
}

export function loadMd5Vectors(file: string): Md5Vector[] {
  return list(read(file), "body_md5", file).map((fields) => ({
    source: source(fields),
    body: text(fields, "body"),
    md5: text(fields, "md5"),
  }));
}

export function loadWebhookVectors(file: string): WebhookVector[] {
  return list(read(file), "vectors", file).map((fields) => ({
    source: source(fields),
    secret: text(fields, "secret"),
    body: text(fields, "body"),
    signature: text(fields, "signature"),
  }));
}

function read(file: string): unknown {
  return JSON.parse(readFileSync(new URL(file, DIRECTORY), "utf8"));
}

function list(document: unknown, name: string, file: string): Fields[] {
  const found = isFields(document) ? document[name] : undefined;
  if (!Array.isArray(found)) throw new Error(`${file}: "${name}" must be an array`);
  const entries: unknown[] = found;
  return entries.map((entry, index) => {
    if (!isFields(entry)) throw new Error(`${file}: ${name}[${index}] must be an object`);
    return entry;
  });
}

function source(fields: Fields): string {
  const from = fields.source;
  if (!isFields(from)) fail(fields, "needs a source");
  return `${text(from, "repository")} ${text(from, "path")}@${text(from, "commit").slice(0, 7)} "${text(from, "test")}"`;
}

function app(fields: Fields): AppCredentials {
  return { key: text(fields, "key"), secret: text(fields, "secret") };
}

function pairs(fields: Fields): Pair[] {
  const params = fields.params;
  const malformed = () => fail(fields, "params must be an array of [key, value] strings");
  if (!Array.isArray(params)) return malformed();
  const entries: unknown[] = params;
  return entries.map((entry): Pair => {
    if (!Array.isArray(entry) || entry.length !== 2) return malformed();
    const [key, value]: unknown[] = entry;
    if (typeof key !== "string" || typeof value !== "string") return malformed();
    return [key, value];
  });
}

function text(fields: Fields, name: string): string {
  const value = fields[name];
  if (typeof value !== "string") fail(fields, `"${name}" must be a string`);
  return value;
}

function optionalText(fields: Fields, name: string): string | undefined {
  return fields[name] === undefined ? undefined : text(fields, name);
}

function isFields(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fail(fields: Fields, problem: string): never {
  throw new Error(`Vector ${JSON.stringify(fields.source)}: ${problem}`);
}
