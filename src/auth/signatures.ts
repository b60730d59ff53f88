import type { App } from "../config/app";
import { findKey } from "../config/app-keys";
import { err, ok, type Result } from "../lib/result";
import { clip } from "../lib/text";
import { constantTimeEqual, hmacSha256Hex } from "./crypto";

export interface AppCredentials {
  readonly key: string;
  readonly secret: string;
}

/**
 * What a subscription or sign-in token signs (docs/protocol.md §6.2, §9.1):
 * private `socket:channel`, presence `socket:channel:channel_data` over the
 * exact channel_data string, sign-in `socket::user::user_data`.
 */
export function channelStringToSign(socketId: string, channel: string, channelData?: string): string {
  return channelData === undefined ? `${socketId}:${channel}` : `${socketId}:${channel}:${channelData}`;
}

export function userStringToSign(socketId: string, userData: string): string {
  return `${socketId}::user::${userData}`;
}

export async function signToken(app: AppCredentials, stringToSign: string): Promise<string> {
  return `${app.key}:${await hmacSha256Hex(app.secret, stringToSign)}`;
}

/**
 * Checks a `key:signature` token. The whole token is compared, so a token
 * signed for another app's key fails even if someone shared a secret.
 */
export async function verifyToken(app: AppCredentials, token: string, stringToSign: string): Promise<boolean> {
  return constantTimeEqual(token, await signToken(app, stringToSign));
}

/** Why an app refused a token: a wrong signature (or a key it does not list), or a retired key. */
export type TokenRefusal = { readonly kind: "invalid" } | { readonly kind: "retired"; readonly key: string };

/**
 * Checks a `key:signature` token against the app's pair that its key names,
 * so an auth endpoint may sign with any current pair whichever key the
 * socket connected with (pusher-js passes on whatever the endpoint returned).
 * Keys are public, so finding the pair by key leaks nothing; the signature
 * itself is compared in constant time by verifyToken.
 */
export async function checkAppToken(
  app: Pick<App, "keys">,
  token: string,
  stringToSign: string,
): Promise<Result<void, TokenRefusal>> {
  const colon = token.indexOf(":");
  const pair = colon === -1 ? undefined : findKey(app, token.slice(0, colon));
  if (pair === undefined) return err({ kind: "invalid" });
  if (pair.retired) return err({ kind: "retired", key: pair.key });
  return (await verifyToken(pair, token, stringToSign)) ? ok(undefined) : err({ kind: "invalid" });
}

/** What a socket is told when its auth endpoint signed with a retired pair. */
export function retiredTokenMessage(key: string): string {
  return `The auth token is signed with the retired key '${clip(key)}': the auth endpoint must sign with a current key and secret of the app`;
}
