import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

const WRANGLER_CONFIG = readFileSync(`${ROOT}wrangler.jsonc`, "utf8");

/** The compatibility date both targets run with: Sower's own, from wrangler.jsonc. */
export const COMPATIBILITY_DATE = /"compatibility_date":\s*"([^"]+)"/.exec(WRANGLER_CONFIG)?.[1] ?? "2026-11-01";

/** Sower's compatibility flags from wrangler.jsonc; the baseline keeps the platform's defaults. */
export const SOWER_COMPATIBILITY_FLAGS = [
  ...(/"compatibility_flags":\s*\[([^\]]*)\]/.exec(WRANGLER_CONFIG)?.[1] ?? "").matchAll(/"([^"]+)"/g),
].map((match) => match[1] ?? "");

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
