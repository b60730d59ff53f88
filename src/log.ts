/**
 * One JSON object per line, so `wrangler tail` and Workers Logs can filter by
 * field. Callers pass ids and reasons only: never secrets, tokens or payloads.
 */
export function log(level: LogLevel, message: string, fields: Record<string, unknown>): void {
  const line = JSON.stringify({ level, message, ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else if (level === "debug") console.debug(line);
  else console.log(line);
}

/** `debug` is for what is expected and harmless (a socket that went mid-send), so warnings stay worth reading. */
export type LogLevel = "debug" | "info" | "warn" | "error";
