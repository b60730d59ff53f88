import type { TestProject } from "vitest/node";
import { startServer } from "./support/server";

/** One `wrangler dev` for the whole e2e tier, on a free port, with fresh state. */
export default async function setup(project: TestProject) {
  const server = await startServer();
  project.provide("sower", server.info);
  return () => server.stop();
}

declare module "vitest" {
  export interface ProvidedContext {
    sower: import("./support/server").ServerInfo;
  }
}
