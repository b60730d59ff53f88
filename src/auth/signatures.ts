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
