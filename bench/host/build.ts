import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The compatibility date both targets run with: Sower's own, from wrangler.jsonc. */
export const COMPATIBILITY_DATE =
  /"compatibility_date":\s*"([^"]+)"/.exec(readFileSync(`${ROOT}wrangler.jsonc`, "utf8"))?.[1] ?? "2026-11-01";

/**
 * Bundles a Worker entry the way `wrangler deploy` does (esbuild, ES module,
 * `cloudflare:` imports left to the runtime), in memory.
 */
export async function bundle(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [`${ROOT}${entry}`],
    bundle: true,
    format: "esm",
    target: "es2022",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    external: ["cloudflare:*", "node:*"],
    write: false,
    logLevel: "warning",
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error(`esbuild produced nothing for ${entry}`);
  return output.text;
}
