/**
 * One table of every error a client or backend can be told about. Each entry
 * carries its Pusher code (null where Pusher itself sends null) and whether
 * the socket must be closed with that code.
 *
 * pusher-js reacts to close codes (docs/protocol.md §4.1, §4.3): 4000-4099 and >= 4300
 * are "refused" (no reconnect), 4100-4199 back off, 4200-4299 reconnect now.
 * So errors in the 43xx range are only ever sent as frames, never as closes.
 */
export const CLOSE_CODES = {
  sslOnly: 4000,
  appNotFound: 4001,
  appDisabled: 4003,
  overConnectionQuota: 4004,
  pathNotFound: 4005,
  invalidVersion: 4006,
  unsupportedProtocol: 4007,
  noProtocol: 4008,
  unauthorized: 4009,
  overCapacity: 4100,
  reconnect: 4200,
  pongNotReceived: 4201,
  inactivity: 4202,
} as const;

export const CLIENT_EVENT_REJECTED = 4301;

/**
 * A socket's app key that cannot be served: the same code and message when
 * it connects (docs/protocol.md §1.2) and, for a socket already open, when
 * its key has since been retired or removed (§4.2). 4001 is in pusher-js's
 * "refused" range, so a client stops instead of reconnecting in a loop
 * with credentials that will never work again.
 */
export const KEY_REFUSALS = {
  unknown: { code: CLOSE_CODES.appNotFound, message: "App key not found" },
  retired: { code: CLOSE_CODES.appNotFound, message: "App key retired: connect with the app's current key" },
} as const;

export type CloseCode = (typeof CLOSE_CODES)[keyof typeof CLOSE_CODES];

/** An error a socket is told about in a `pusher:error` frame. */
export interface SocketError {
  readonly code: number | null;
  readonly message: string;
  /** When set, the socket is closed with `code` after the frame is sent. */
  readonly close: boolean;
}

export function fatal(code: CloseCode, message: string): SocketError {
  return { code, message, close: true };
}

/** A frame-level problem: the socket is told and stays open. */
export function frameError(message: string, code: number | null = null): SocketError {
  return { code, message, close: false };
}

export type SubscriptionErrorType = "AuthError" | "LimitReached" | "InvalidChannel" | "Forbidden";

/**
 * A subscription that failed. Sent as `pusher:subscription_error` on the
 * channel, the same shape pusher-js emits when its own auth request fails,
 * so app code (and Echo's `.error()`) handles both the same way.
 */
export interface SubscriptionError {
  readonly channel: string;
  readonly type: SubscriptionErrorType;
  readonly error: string;
  readonly status: number;
}
