import { execFile, spawnSync } from "node:child_process";
import { createReadStream, createWriteStream, existsSync, readFileSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { brotliDecompressSync, createBrotliDecompress } from "node:zlib";

/** Where the browser tier's Chromium is, and the libraries it needs that the machine lacks. */
export interface ChromiumInstall {
  executablePath: string;
  /** The package's own NSS, NSPR and expat, for a machine without them; null when the machine's serve. */
  libraryPath: string | null;
}

/**
 * `CHROMIUM_PATH` if set, else the Chromium that `@sparticuz/chromium` ships
 * brotli-compressed inside its npm package, so `npm install` alone provides the
 * browser. It is unpacked once per package version under node_modules/.cache,
 * not the package's own /tmp/chromium, which is shared by every version and
 * reused even when an interrupted unpack left it truncated.
 */
export async function locateChromium(root: string): Promise<ChromiumInstall> {
  const override = process.env.CHROMIUM_PATH;
  if (override !== undefined) {
    if (!existsSync(override)) throw new Error(`CHROMIUM_PATH is ${override}, which does not exist`);
    return { executablePath: override, libraryPath: null };
  }
  const packageDir = dirname(dirname(createRequire(import.meta.url).resolve("@sparticuz/chromium")));
  const dir = join(root, "node_modules", ".cache", "sower-chromium", packageVersion(packageDir));
  if (!existsSync(dir)) await unpack(join(packageDir, "bin"), dir);
  const executablePath = join(dir, "chromium");
  return { executablePath, libraryPath: await libraryPathFor(executablePath, join(dir, "lib")) };
}

function packageVersion(packageDir: string): string {
  const manifest: unknown = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
  if (typeof manifest === "object" && manifest !== null && "version" in manifest) {
    if (typeof manifest.version === "string") return manifest.version;
  }
  throw new Error(`${packageDir}/package.json has no version`);
}

/**
 * Unpacks into a directory of this process's own, then renames it into place:
 * a run that is interrupted, or races another run, never leaves a partial
 * browser where the next run would take it for a whole one.
 */
async function unpack(bin: string, dir: string): Promise<void> {
  const staging = `${dir}.partial-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(join(staging, "lib"), { recursive: true });
  try {
    await pipeline(
      createReadStream(join(bin, "chromium.br")),
      createBrotliDecompress(),
      createWriteStream(join(staging, "chromium"), { mode: 0o755 }),
    );
    // NSS, NSPR and expat as lib/*.so (built for Amazon Linux 2023), for a machine that lacks its own.
    untar(join(bin, "al2023.tar.br"), staging);
    await rename(staging, dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    if (existsSync(join(dir, "chromium"))) return; // another run finished first
    throw error;
  }
}

/** A few megabytes once unpacked: whole in memory, since tar stops reading at the archive's end marker. */
function untar(archive: string, into: string): void {
  const tar = spawnSync("tar", ["-x", "-C", into], {
    input: brotliDecompressSync(readFileSync(archive)),
    stdio: ["pipe", "ignore", "pipe"],
  });
  if (tar.error !== undefined) throw tar.error;
  if (tar.status !== 0) throw new Error(`tar could not unpack ${archive}: ${tar.stderr.toString().trim()}`);
}

/** The environment Chromium runs in: the caller's, with the packaged libraries first if it needs them. */
export function chromiumEnv({ libraryPath }: ChromiumInstall): NodeJS.ProcessEnv {
  if (libraryPath === null) return process.env;
  const inherited = process.env.LD_LIBRARY_PATH;
  return { ...process.env, LD_LIBRARY_PATH: inherited ? `${libraryPath}:${inherited}` : libraryPath };
}

/**
 * The machine's own libraries when the browser starts with them; the packaged
 * ones when it starts only with those; otherwise why it cannot start at all.
 */
async function libraryPathFor(executablePath: string, packaged: string): Promise<string | null> {
  const withMachine = await startFailure({ executablePath, libraryPath: null });
  if (withMachine === null) return null;
  if ((await startFailure({ executablePath, libraryPath: packaged })) === null) return packaged;
  throw new Error(`Chromium at ${executablePath} does not start: ${withMachine.message}`);
}

/** Why `chromium --version` fails, or null when it runs. */
function startFailure(install: ChromiumInstall): Promise<Error | null> {
  return promisify(execFile)(install.executablePath, ["--version"], {
    timeout: 30_000,
    env: chromiumEnv(install),
  }).then(
    () => null,
    (error: Error) => error,
  );
}
