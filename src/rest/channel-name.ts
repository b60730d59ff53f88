import { err, type Result } from "../lib/result";
import { clip } from "../lib/text";
import { type ChannelInfo, parseChannelName } from "../protocol/channels";
import { type RestError, restError } from "../protocol/rest";
import type { RestCall } from "./call";

/** A channel named in a REST call, validated as the socket side validates it; a 400 otherwise. */
export function parseRestChannel(name: string, maxLength: number): Result<ChannelInfo, RestError> {
  const parsed = parseChannelName(name, maxLength);
  return parsed.ok ? parsed : err(restError(400, `Invalid channel '${clip(name)}': ${parsed.error}`));
}

/** The channel named in the path of `/channels/{channel}/...`. */
export function pathChannel(call: RestCall): Result<ChannelInfo, RestError> {
  const [name = ""] = call.params;
  return parseRestChannel(name, call.app.limits.maxChannelNameLength);
}
