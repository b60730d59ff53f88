import type { TestProject } from "vitest/node";
import { startServer, testShards } from "./support/server";

/** One `wrangler dev` for the whole e2e tier, on a free port, with fresh state, at the project's shards. */
export default async function setup(project: TestProject) {
  const server = await startServer([], undefined, testShards(project.config.env));
  project.provide("sower", server.info);
  return () => server.stop();
}

declare module "vitest" {
  export interface ProvidedContext {
    sower: import("./support/server").ServerInfo;
  }
}
