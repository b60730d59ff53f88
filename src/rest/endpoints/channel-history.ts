import { historyFor } from "../../config/history";
import type { HistoryPage, HistoryPosition, HistoryQuery } from "../../contract/history";
import { err, ok, type Result } from "../../lib/result";
import { clip } from "../../lib/text";
import { type RestError, restError } from "../../protocol/rest";
import type { RestCall, RestReply } from "../call";
import { pathChannel } from "../channel-name";
import { parsePageWindow } from "../page-window";

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
  const window = parsePageWindow(params, HISTORY_PAGE);
  if (!window.ok) return window;
  const rawCursor = params.get("cursor");
  const cursor = rawCursor === null ? undefined : decodeCursor(rawCursor);
  if (cursor === null) return err(restError(400, "cursor is not one this endpoint returned as next"));
  return ok({ ...window.value, ...(cursor === undefined ? {} : { cursor }) });
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
