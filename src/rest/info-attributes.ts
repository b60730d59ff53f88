import type { InfoRequest } from "../contract/rpc";
import { err, ok, type Result } from "../lib/result";
import { clip } from "../lib/text";
import { INFO_ATTRIBUTES, type RestError, restError } from "../protocol/rest";

export const NO_INFO: InfoRequest = { userCount: false, subscriptionCount: false };

/**
 * `info=user_count,subscription_count`. An absent parameter is `undefined`
 * (the endpoint then answers without counts); an unknown attribute is a 400,
 * as Pusher refuses attributes it cannot give.
 */
export function parseInfoAttributes(
  value: unknown,
  { allowCache = false }: { allowCache?: boolean } = {},
): Result<InfoRequest | undefined, RestError> {
  if (value === undefined || value === null) return ok(undefined);
  if (typeof value !== "string") {
    return err(restError(400, "info must be a comma-separated string, e.g. user_count,subscription_count"));
  }
  let userCount = false;
  let subscriptionCount = false;
  let cache = false;
  for (const part of value.split(",")) {
    const attribute = part.trim();
    if (attribute === "") continue;
    if (attribute === INFO_ATTRIBUTES.userCount) userCount = true;
    else if (attribute === INFO_ATTRIBUTES.subscriptionCount) subscriptionCount = true;
    else if (attribute === INFO_ATTRIBUTES.cache && allowCache) cache = true;
    else {
      return err(
        restError(
          400,
          `Unknown info attribute '${clip(attribute)}': use ${INFO_ATTRIBUTES.userCount} and/or ${INFO_ATTRIBUTES.subscriptionCount}`,
        ),
      );
    }
  }
  return ok(cache ? { userCount, subscriptionCount, cache } : { userCount, subscriptionCount });
}

export function userCountRefusal(channel: string): RestError {
  return restError(
    400,
    `${INFO_ATTRIBUTES.userCount} is only available for presence channels, and '${clip(channel)}' is not one`,
  );
}
