import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const DOCS = join(import.meta.dirname, "../../../docs");

export interface CodeBlock {
  file: string;
  lang: string;
  /** The `snippet=` name in the fence's info string, if any. */
  name: string | undefined;
  code: string;
}

const FENCE = /^```([^\n]*)\n([\s\S]*?)^```$/gm;

/** Every fenced code block in the guides, in order. */
export function codeBlocks(): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  for (const file of readdirSync(DOCS).filter((name) => name.endsWith(".md"))) {
    for (const match of readFileSync(join(DOCS, file), "utf8").matchAll(FENCE)) {
      const [lang = "", ...rest] = (match[1] ?? "").trim().split(/\s+/);
      const name = rest.find((word) => word.startsWith("snippet="))?.slice("snippet=".length);
      blocks.push({ file, lang, name, code: match[2] ?? "" });
    }
  }
  return blocks;
}

/**
 * The code of one named snippet, with `replacements` applied. Each replaced
 * text must occur in the snippet, so a guide edit that changes it fails the
 * test instead of silently testing something else.
 */
export function snippet(name: string, replacements: Record<string, string> = {}): string {
  const found = codeBlocks().filter((block) => block.name === name);
  if (found.length !== 1 || found[0] === undefined)
    throw new Error(`expected one snippet named ${name}, found ${found.length}`);
  let code = found[0].code;
  for (const [from, to] of Object.entries(replacements)) {
    if (!code.includes(from)) throw new Error(`snippet ${name} no longer contains ${JSON.stringify(from)}`);
    code = code.replaceAll(from, to);
  }
  return code;
}

/** Parses a dotenv snippet the way Laravel does: `KEY=value`, optional quotes, `${OTHER}` expanded. */
export function parseDotenv(code: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of code.split("\n")) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match?.[1] === undefined || match[2] === undefined) continue;
    const raw = match[2].replace(/^"(.*)"$/, "$1");
    values[match[1]] = raw.replace(/\$\{([A-Z0-9_]+)\}/g, (_, key: string) => values[key] ?? "");
  }
  return values;
}

/** What Vite does to `import.meta.env.VITE_*` at build time: replaces each with its value. */
export function viteDefine(code: string, env: Record<string, string>): string {
  return code.replace(/import\.meta\.env\.(VITE_[A-Z0-9_]+)/g, (_, key: string) =>
    key in env ? JSON.stringify(env[key]) : "undefined",
  );
}
