import { isRecord } from "../lib/json";
import { type App, type AppKey, IDENTIFIER, IDENTIFIER_RULE, MIN_SECRET_LENGTH } from "./app";
import type { Problems } from "./problems";

const PAIR_FIELDS: ReadonlySet<string> = new Set(["key", "secret", "retired"]);

/** The primary pair as a list entry: never retired, since clients and webhooks rely on it. */
export function primaryKey(key: string, secret: string): AppKey {
  return { key, secret, retired: false };
}

/**
 * An app's further key/secret pairs (`keys` in an APPS entry, APP_KEYS for
 * the single app): `[{"key": ..., "secret": ..., "retired"?: true}]`. Each
 * problem is added to `problems`, naming the pair by position and never a
 * secret. `where` names the list ("APP_KEYS"), `primary.field` the setting
 * that holds the primary key, which no pair may repeat.
 */
export function parseKeyPairs(
  value: unknown,
  where: string,
  primary: { readonly key: string; readonly field: string },
  problems: Problems,
): AppKey[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.addMessage(`${where} must be a list of key pairs such as [{"key": "...", "secret": "..."}]`);
    return [];
  }
  const pairs: AppKey[] = [];
  const positions = new Map<string, number>();
  value.forEach((entry: unknown, index) => {
    const pair = parsePair(entry, `${where}[${index}]`, problems);
    if (pair === undefined) return;
    const earlier = positions.get(pair.key);
    if (pair.key === primary.key) {
      problems.addMessage(`${where}[${index}].key repeats ${primary.field}: each pair needs a key of its own`);
    } else if (earlier !== undefined) {
      problems.addMessage(`${where}[${index}].key repeats the key of ${where}[${earlier}]`);
    } else {
      positions.set(pair.key, index);
      pairs.push(pair);
    }
  });
  return pairs;
}

function parsePair(entry: unknown, where: string, problems: Problems): AppKey | undefined {
  if (!isRecord(entry)) {
    problems.addMessage(`${where} must be an object with key and secret`);
    return undefined;
  }
  const before = problems.count;
  for (const field of Object.keys(entry)) {
    if (!PAIR_FIELDS.has(field))
      problems.addMessage(`${where}.${field} is not a key pair option (key, secret, retired)`);
  }
  const key = typeof entry.key === "string" && IDENTIFIER.test(entry.key) ? entry.key : undefined;
  if (key === undefined) problems.addMessage(`${where}.key ${IDENTIFIER_RULE}`);
  // The value is never described: whatever was typed there may be a real secret.
  const secret = typeof entry.secret === "string" && entry.secret.length >= MIN_SECRET_LENGTH ? entry.secret : "";
  if (secret === "")
    problems.addMessage(`${where}.secret must be a string of at least ${MIN_SECRET_LENGTH} characters`);
  const retired = entry.retired ?? false;
  if (typeof retired !== "boolean") problems.addMessage(`${where}.retired must be true or false`);
  if (problems.count !== before || key === undefined) return undefined;
  return { key, secret, retired: retired === true };
}

/** The pair an app lists under `key`, retired or not; undefined when it lists none. */
export function findKey(app: Pick<App, "keys">, key: string): AppKey | undefined {
  return app.keys.find((pair) => pair.key === key);
}

/**
 * Whether a socket that connected with `key` may stay: a retired key, and a
 * key the configuration no longer lists, are refused the same way for new
 * sockets and for sockets already open.
 */
export function keyStanding(app: Pick<App, "keys">, key: string): "current" | "retired" | "unknown" {
  const pair = findKey(app, key);
  if (pair === undefined) return "unknown";
  return pair.retired ? "retired" : "current";
}
