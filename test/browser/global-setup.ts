import type { TestProject } from "vitest/node";
import { type ChromiumInstall, locateChromium } from "./support/chromium";

/** Finds (or unpacks, once for all the tier's files) the Chromium the browser tests launch. */
export default async function setup(project: TestProject) {
  project.provide("chromium", await locateChromium(project.config.root));
}

declare module "vitest" {
  export interface ProvidedContext {
    chromium: ChromiumInstall;
  }
}
