import { auditRequest } from "../audit/request";
import { type AuditWorker, recordInApp, recordRefusal } from "../audit/worker-records";
import type { App } from "../config/app";
import type { AppRegistry } from "../config/registry";
import type { Credentials } from "./login";

export const LOGIN_ENDPOINT = "dashboard login";

/**
 * A login attempt in the audit log of each app it would open
 * (docs/audit.md): every app for the operator's token, the key's app for a
 * tenant. A login that succeeds is recorded before it is answered; a failed
 * one goes with the app's other refused calls, so guesses cannot cost
 * unbounded object requests. A key no app has opens nothing and is
 * recorded nowhere (the Worker's log has it).
 */
export async function recordLogin(
  audit: AuditWorker,
  request: Request,
  apps: Pick<AppRegistry, "all" | "byKey">,
  credentials: Credentials,
  succeeded: boolean,
): Promise<void> {
  const key = credentials.kind === "token" ? "operator" : credentials.key;
  const entry = { ...auditRequest(request, LOGIN_ENDPOINT, key), details: { as: credentials.kind } };
  const opened: readonly App[] = credentials.kind === "token" ? apps.all() : appOf(apps, credentials.key);
  await Promise.all(
    opened.map((app) =>
      succeeded
        ? recordInApp(audit, app, { ...entry, status: 200 })
        : recordRefusal(audit, app, { ...entry, status: 401 }, "Wrong credentials"),
    ),
  );
}

function appOf(apps: Pick<AppRegistry, "byKey">, key: string): App[] {
  const app = apps.byKey(key);
  return app === undefined ? [] : [app];
}
