import type { App } from "../config/app";
import { loadApps } from "../config/registry";
import { APP_ID_META } from "./state/schema";
import type { Store } from "./state/store";

/**
 * The app an object serves, as the configuration has it now: the object
 * stores only its app's id (its first caller names it), so a deploy that
 * changes the app's settings is seen at the next wake.
 */
export function configuredApp(store: Store, env: Env): App | undefined {
  const appId = store.getMeta(APP_ID_META);
  const apps = loadApps(env);
  return appId !== undefined && apps.ok ? apps.byId(appId) : undefined;
}
