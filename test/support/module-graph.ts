import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

export interface ImportEdge {
  readonly specifier: string;
  /** `import type` / `export type`, or braces whose every name is marked `type`: erased when compiled. */
  readonly typeOnly: boolean;
}

/*
 * The clause between `import`/`export` and `from`: a default name, `* as name`,
 * `{ ... }` (across lines), or a default name followed by either of the others.
 * Statements start a line (the formatter keeps them there), so comment lines,
 * which start with `//` or `*`, never match.
 */
const NAME = "[\\w$]+";
const BRACES = "\\{[^}]*\\}";
const NAMESPACE = `\\*(?:\\s+as\\s+${NAME})?`;
const CLAUSE = `(?:${NAME}(?:\\s*,\\s*(?:${BRACES}|${NAMESPACE}))?|${BRACES}|${NAMESPACE})`;
const FROM = new RegExp(`^[ \\t]*(?:import|export)\\s+(type\\s+)?(${CLAUSE})\\s*from\\s*["']([^"']+)["']`, "gm");
const BARE = /^[ \t]*import\s*["']([^"']+)["']/gm;

/** Every static `import ... from`, `export ... from` and bare `import "..."` in a module's text, in order. */
export function readImports(text: string): ImportEdge[] {
  const found: Array<ImportEdge & { at: number }> = [];
  for (const match of text.matchAll(FROM)) {
    const [, typeKeyword, clause = "", specifier = ""] = match;
    found.push({ at: match.index, specifier, typeOnly: typeKeyword !== undefined || onlyTypeNames(clause) });
  }
  for (const match of text.matchAll(BARE)) found.push({ at: match.index, specifier: match[1] ?? "", typeOnly: false });
  return found.sort((a, b) => a.at - b.at).map(({ specifier, typeOnly }) => ({ specifier, typeOnly }));
}

function onlyTypeNames(clause: string): boolean {
  if (!clause.startsWith("{")) return false;
  const names = clause
    .slice(1, -1)
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  return names.length > 0 && names.every((name) => name.startsWith("type "));
}

export interface ModuleGraph {
  /** File -> the files it imports, paths relative to the root's parent (`src/...`). */
  readonly edges: ReadonlyMap<string, ReadonlyArray<{ readonly file: string; readonly typeOnly: boolean }>>;
  readonly lines: ReadonlyMap<string, number>;
  /** Relative imports that name no file, as `importer: specifier`. */
  readonly unresolved: readonly string[];
}

/** The graph of every `.ts` file under `root`, through its relative imports (packages are left out). */
export function moduleGraph(root: string): ModuleGraph {
  const base = dirname(root);
  const edges = new Map<string, Array<{ file: string; typeOnly: boolean }>>();
  const lines = new Map<string, number>();
  const unresolved: string[] = [];
  for (const path of tsFiles(root)) {
    const text = readFileSync(path, "utf8");
    const name = relative(base, path);
    lines.set(name, text.split("\n").length - (text.endsWith("\n") ? 1 : 0));
    const targets: Array<{ file: string; typeOnly: boolean }> = [];
    for (const { specifier, typeOnly } of readImports(text)) {
      if (!specifier.startsWith(".")) continue;
      const target = resolveModule(resolve(dirname(path), specifier));
      if (target === undefined) unresolved.push(`${name}: ${specifier}`);
      else targets.push({ file: relative(base, target), typeOnly });
    }
    edges.set(name, targets);
  }
  return { edges, lines, unresolved };
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) return tsFiles(path);
      return path.endsWith(".ts") ? [path] : [];
    });
}

function resolveModule(path: string): string | undefined {
  for (const candidate of [path, `${path}.ts`, join(path, "index.ts")]) {
    if (candidate.endsWith(".ts") && existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

export interface ImportLoop {
  /** Every file of the loop: each reaches every other through imports. */
  readonly files: readonly string[];
  /** One way round, from the first file in sorted order back to it, e.g. `[a, b, a]`. */
  readonly path: readonly string[];
}

/** One loop for every group of files that reach each other (Tarjan's strongly connected components). */
export function findLoops(edges: ReadonlyMap<string, ReadonlyArray<{ readonly file: string }>>): ImportLoop[] {
  const targetsOf = (file: string) => (edges.get(file) ?? []).map((edge) => edge.file);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file) ?? 0);
    stack.push(file);
    onStack.add(file);
    for (const target of targetsOf(file)) {
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file) ?? 0, low.get(target) ?? 0));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file) ?? 0, index.get(target) ?? 0));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || targetsOf(file).includes(file)) components.push(component.sort());
  };
  for (const file of [...edges.keys()].sort()) if (!index.has(file)) visit(file);
  return components
    .map((files) => ({ files, path: cycleThrough(files, targetsOf) }))
    .sort((a, b) => (a.path.join() < b.path.join() ? -1 : 1));
}

/** A shortest path from the component's first file back to itself, inside the component. */
function cycleThrough(component: readonly string[], targetsOf: (file: string) => string[]): string[] {
  const [start = ""] = component;
  const members = new Set(component);
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let at = 0; at < queue.length; at++) {
    const file = queue[at] ?? "";
    for (const target of targetsOf(file)) {
      if (!members.has(target)) continue;
      if (target === start) {
        const steps: string[] = [];
        for (let step: string | undefined = file; step !== undefined && step !== start; step = cameFrom.get(step)) {
          steps.unshift(step);
        }
        return [start, ...steps, start];
      }
      if (!cameFrom.has(target)) {
        cameFrom.set(target, file);
        queue.push(target);
      }
    }
  }
  return [start, start];
}
