import { SELF } from "cloudflare:test";
import { signedPath } from "../../support/rest-signer";
import type { TestApp } from "./apps";

export interface AppRestCall {
  /** Whose credentials sign the request; the app in the path by default. */
  signer?: Pick<TestApp, "key" | "secret">;
  body?: unknown;
  params?: Record<string, string>;
}

/** A REST call to `/apps/{app.id}{path}`, signed as a backend SDK signs it. */
export async function appRest(app: TestApp, method: "GET" | "POST", path: string, call: AppRestCall = {}) {
  const signer = call.signer ?? app;
  const body = call.body === undefined ? undefined : JSON.stringify(call.body);
  const url = await signedPath({
    method,
    path: `/apps/${app.id}${path}`,
    key: signer.key,
    secret: signer.secret,
    ...(body === undefined ? {} : { body }),
    ...(call.params === undefined ? {} : { params: call.params }),
  });
  const response = await SELF.fetch(`http://sower.test${url}`, {
    method,
    ...(body === undefined ? {} : { body, headers: { "content-type": "application/json" } }),
  });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

export function appTrigger(app: TestApp, channels: string[], name: string, data: string, call: AppRestCall = {}) {
  return appRest(app, "POST", "/events", { ...call, body: { name, data, channels } });
}
