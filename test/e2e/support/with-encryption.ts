import { createRequire } from "node:module";
import type PusherClient from "pusher-js";

/**
 * `pusher-js/with-encryption` is the browser build. Node 22 already has the
 * WebSocket it uses; it also looks for `self`, `window` and a document body
 * before connecting, so those are provided as the smallest stand-ins.
 */
export function withEncryptionBuild(): typeof PusherClient {
  const scope = globalThis as Record<string, unknown>;
  scope.self ??= globalThis;
  scope.window ??= globalThis;
  scope.document ??= { body: {}, location: { protocol: "http:" } };
  const required: unknown = createRequire(import.meta.url)("pusher-js/with-encryption");
  return required as typeof PusherClient;
}
