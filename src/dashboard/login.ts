import { constantTimeEqual } from "../auth/crypto";
import { findKey } from "../config/app-keys";
import type { AppRegistry } from "../config/registry";
import { isRecord } from "../lib/json";
import { err, ok, type Result } from "../lib/result";
import type { Scope, SecretOf } from "./session";

export type Credentials =
  | { readonly kind: "token"; readonly token: string }
  | { readonly kind: "app"; readonly key: string; readonly secret: string };

/** `{"token": ...}` for the operator, `{"key": ..., "secret": ...}` for one app. */
export function parseCredentials(body: unknown): Result<Credentials, string> {
  if (!isRecord(body)) return err("Send a JSON object with token, or with key and secret");
  const { token, key, secret } = body;
  if (typeof token === "string" && key === undefined && secret === undefined) return ok({ kind: "token", token });
  if (token === undefined && typeof key === "string" && typeof secret === "string") {
    return ok({ kind: "app", key, secret });
  }
  return err("Send a JSON object with token, or with key and secret");
}

/**
 * The scope the credentials open, or undefined. Every comparison runs in
 * constant time, and a wrong token, an unknown key and a wrong secret are
 * answered alike, so a caller cannot learn which keys exist.
 */
export function authenticate(
  credentials: Credentials,
  dashboardToken: string,
  apps: Pick<AppRegistry, "byKey">,
): Scope | undefined {
  if (credentials.kind === "token") {
    return constantTimeEqual(credentials.token, dashboardToken) ? { kind: "operator" } : undefined;
  }
  const app = apps.byKey(credentials.key);
  const pair = app === undefined ? undefined : findKey(app, credentials.key);
  // Compared even when the key is unknown, so a miss takes as long as a wrong secret.
  const matches = constantTimeEqual(credentials.secret, pair?.secret ?? dashboardToken);
  if (app === undefined || pair === undefined || pair.retired || !matches) return undefined;
  return { kind: "app", appId: app.id, key: pair.key };
}

/** A tenant session stays bound to its key's current secret, and ends when the key is retired or removed. */
export function secretOf(apps: Pick<AppRegistry, "byId">): SecretOf {
  return (appId, key) => {
    const app = apps.byId(appId);
    const pair = app === undefined ? undefined : findKey(app, key);
    return pair === undefined || pair.retired ? undefined : pair.secret;
  };
}
