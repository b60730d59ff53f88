export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A JSON object whose keys are names from outside (channels, users, header
 * names). Object.fromEntries defines each key as an own property, so a name
 * such as `__proto__` stays a key; `object[name] = value` would replace the
 * object's prototype instead, and the name would vanish from the JSON.
 */
export function jsonObject<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  return Object.fromEntries(entries);
}

/** Parses JSON without throwing; undefined for anything that is not valid JSON. */
export function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
