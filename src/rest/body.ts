import type { AppLimits } from "../config/app";
import { isRecord, tryParseJson } from "../lib/json";
import { err, ok, type Result } from "../lib/result";
import { escapedJsonBytes } from "../protocol/constants";
import { type RestError, restError } from "../protocol/rest";

/**
 * The largest body any legal request can have: one event on the most
 * channels, or a full batch, with every string escaped at its worst. Bodies
 * above it are refused before they are read in full or parsed.
 */
export function bodyLimit(limits: AppLimits): number {
  const strings = limits.maxEventPayloadBytes + limits.maxEventNameLength;
  // Each channel name also takes its quotes and a comma.
  const oneEvent =
    escapedJsonBytes(strings + limits.maxEventChannelsAtOnce * limits.maxChannelNameLength) +
    3 * limits.maxEventChannelsAtOnce;
  const batchEvent = escapedJsonBytes(strings + limits.maxChannelNameLength);
  return Math.max(oneEvent, Math.max(1, limits.maxEventBatchSize) * batchEvent);
}

/**
 * Reads the raw bytes once. A declared Content-Length above `limit` is
 * refused before a byte is read, and a body sent without one (chunked) is
 * cut off as soon as it passes `limit`: either way the stream is cancelled,
 * so nothing waits for the rest of a body that may never come. A body that
 * breaks off (the client half-closed or hung up) is a 400.
 */
export async function readBody(request: Request, limit: number): Promise<Result<Uint8Array, RestError>> {
  const tooLarge = `Request body is larger than ${limit} bytes`;
  const declared = Number(request.headers.get("Content-Length") ?? "0");
  if (declared > limit) {
    await request.body?.cancel();
    return err(restError(413, `${tooLarge}: Content-Length declares ${declared}`));
  }
  if (request.body === null) return ok(new Uint8Array(0));
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let read: ReadableStreamReadResult<Uint8Array>;
    try {
      read = await reader.read();
    } catch {
      // The client stopped before its body was complete: its mistake (or its hang-up), not a failure here.
      return err(restError(400, "The request body ended before it was complete"));
    }
    const { done, value } = read;
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return err(restError(413, `${tooLarge}; reading stopped there`));
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return ok(body);
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** The body as a JSON object; anything else is a 400 that says what was wrong. */
export function parseJsonObject(body: Uint8Array): Result<Record<string, unknown>, RestError> {
  if (body.length === 0) return err(restError(400, "The request needs a JSON body"));
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return err(restError(400, "The request body is not valid UTF-8"));
  }
  const value = tryParseJson(text);
  if (value === undefined) return err(restError(400, "The request body is not valid JSON"));
  return isRecord(value) ? ok(value) : err(restError(400, "The request body must be a JSON object"));
}
