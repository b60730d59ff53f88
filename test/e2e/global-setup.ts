import type { TestProject } from "vitest/node";
import { startServer } from "./support/server";

/** Only channels named history-... keep history, so no other test's channels store anything. */
export const E2E_HISTORY = { channels: ["history-*", "private-history-*"], max_events: 500, max_seconds: 600 };

/** One `wrangler dev` for the whole e2e tier, on a free port, with fresh state. */
export default async function setup(project: TestProject) {
  const server = await startServer(["--var", `HISTORY:${JSON.stringify(E2E_HISTORY)}`]);
  project.provide("sower", server.info);
  return () => server.stop();
}

declare module "vitest" {
  export interface ProvidedContext {
    sower: import("./support/server").ServerInfo;
  }
}
