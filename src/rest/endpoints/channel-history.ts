import { historyFor } from "../../config/history";
import type { HistoryPage, HistoryPosition, HistoryQuery } from "../../contract/history";
import { err, ok, type Result } from "../../lib/result";
import { clip } from "../../lib/text";
import { type RestError, restError } from "../../protocol/rest";
import type { RestCall, RestReply } from "../call";
import { pathChannel } from "../channel-name";

export const HISTORY_PAGE = { default: 100, max: 1000 } as const;

/**
 * `GET /apps/{id}/channels/{channel}/history`: one page of the channel's
 * stored events with its current serial and epoch (docs/history.md), from
 * the app's Beacon or, on a sharded app, the channel's hub. A channel the app
 * keeps no history for is refused here, without waking either.
 */
export async function getChannelHistory(call: RestCall): Promise<RestReply> {
  const channel = pathChannel(call);
  if (!channel.ok) return channel;
  const name = channel.value.name;
  if (historyFor(call.app.history, name) === undefined) {
    return err(
      restError(404, `Channel '${clip(name)}' keeps no history: its name matches none of the app's history patterns`),
    );
  }
  const query = parseHistoryQuery(call.query);
  if (!query.ok) return query;
  const page = await call.beacon().channelHistory(call.app.id, name, query.value);
  if (!page.ok) return page;
  return answer(page.value, query.value);
}

function answer(page: HistoryPage, query: HistoryQuery): RestReply {
  const { epoch, serial } = page.position;
  if (!page.ok) {
    return err(
      restError(
        400,
        "cursor belongs to another epoch of this channel's history (it was reset or lost); start again without a cursor",
      ),
    );
  }
  const last = page.events.at(-1);
  const next = page.more && last !== undefined ? encodeCursor({ epoch, serial: last.serial }) : null;
  return ok({ events: page.events, serial, epoch, direction: query.direction, next });
}

export function parseHistoryQuery(params: URLSearchParams): Result<HistoryQuery, RestError> {
  const limit = wholeNumber(params.get("limit"), "limit");
  if (!limit.ok) return limit;
  if (limit.value !== undefined && (limit.value < 1 || limit.value > HISTORY_PAGE.max)) {
    return err(restError(400, `limit must be from 1 to ${HISTORY_PAGE.max}`));
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
  const rawCursor = params.get("cursor");
  const cursor = rawCursor === null ? undefined : decodeCursor(rawCursor);
  if (cursor === null) return err(restError(400, "cursor is not one this endpoint returned as next"));
  return ok({
    limit: limit.value ?? HISTORY_PAGE.default,
    direction,
    ...(start.value === undefined ? {} : { start: start.value }),
    ...(end.value === undefined ? {} : { end: end.value }),
    ...(cursor === undefined ? {} : { cursor }),
  });
}

/** Unix milliseconds or a count: digits only. */
function wholeNumber(value: string | null, name: string): Result<number | undefined, RestError> {
  if (value === null) return ok(undefined);
  if (/^\d{1,15}$/.test(value)) return ok(Number(value));
  return err(restError(400, `${name} must be a whole number${name === "limit" ? "" : " of Unix milliseconds"}`));
}

/** Opaque to callers; it names the epoch so a reset history is detected rather than paged wrongly. */
function encodeCursor(position: HistoryPosition): string {
  return `${position.serial}.${position.epoch}`;
}

function decodeCursor(text: string): HistoryPosition | null {
  const match = /^(\d{1,15})\.([A-Za-z0-9-]{1,100})$/.exec(text);
  if (match === null) return null;
  const [, serial = "", epoch = ""] = match;
  return { epoch, serial: Number(serial) };
}
