/**
 * One JSON object per line, so `wrangler tail` and Workers Logs can filter by
 * field. Callers pass ids and reasons only: never secrets, tokens or payloads.
 */
export function log(level: "info" | "warn" | "error", message: string, fields: Record<string, unknown>): void {
  const line = JSON.stringify({ level, message, ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}
