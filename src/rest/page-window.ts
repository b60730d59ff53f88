import { err, ok, type Result } from "../lib/result";
import { clip } from "../lib/text";
import { type RestError, restError } from "../protocol/rest";

/** The paging parameters Sower's own list endpoints share (history, audit): how many, which way, between when. */
export interface PageWindow {
  readonly limit: number;
  readonly direction: "backwards" | "forwards";
  /** Unix milliseconds, both inclusive. */
  readonly start?: number;
  readonly end?: number;
}

/** `limit` (1 to `max`, `fallback` when absent), `direction` (`backwards` by default or `forwards`), `start`, `end`. */
export function parsePageWindow(
  params: URLSearchParams,
  page: { readonly default: number; readonly max: number },
): Result<PageWindow, RestError> {
  const limit = wholeNumber(params.get("limit"), "limit");
  if (!limit.ok) return limit;
  if (limit.value !== undefined && (limit.value < 1 || limit.value > page.max)) {
    return err(restError(400, `limit must be from 1 to ${page.max}`));
  }
  const direction = params.get("direction") ?? "backwards";
  if (direction !== "backwards" && direction !== "forwards") {
    return err(restError(400, `direction must be "backwards" or "forwards", got '${clip(direction)}'`));
  }
  const start = wholeNumber(params.get("start"), "start");
  if (!start.ok) return start;
  const end = wholeNumber(params.get("end"), "end");
  if (!end.ok) return end;
  if (start.value !== undefined && end.value !== undefined && start.value > end.value) {
    return err(restError(400, "start must not be after end"));
  }
  return ok({
    limit: limit.value ?? page.default,
    direction,
    ...(start.value === undefined ? {} : { start: start.value }),
    ...(end.value === undefined ? {} : { end: end.value }),
  });
}

/** Unix milliseconds or a count: digits only. */
function wholeNumber(value: string | null, name: string): Result<number | undefined, RestError> {
  if (value === null) return ok(undefined);
  if (/^\d{1,15}$/.test(value)) return ok(Number(value));
  return err(restError(400, `${name} must be a whole number${name === "limit" ? "" : " of Unix milliseconds"}`));
}
