import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const ROOT = join(import.meta.dirname, "../../..");

/**
 * A folder of guide snippets saved as files, as a reader would save them,
 * inside the project so `import ... from "pusher"` resolves to the installed
 * package. The folder is git-ignored and removed afterwards.
 */
export class SnippetFolder {
  private readonly dir = mkdtempSync(join(ROOT, ".snippets-"));

  write(file: string, code: string): string {
    const path = join(this.dir, file);
    writeFileSync(path, code);
    return path;
  }

  /** Saves `code` as `file` and runs it as an ES module, returning its exports. */
  async run(file: string, code: string): Promise<Record<string, unknown>> {
    const url = pathToFileURL(this.write(file, code)).href;
    const exports: unknown = await import(/* @vite-ignore */ url);
    if (typeof exports !== "object" || exports === null) throw new Error(`${file} did not load as a module`);
    return Object.fromEntries(Object.entries(exports));
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
