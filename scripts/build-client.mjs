// `npm run build:client`: builds client/sower-history.ts for apps that do not
// compile TypeScript themselves, into dist/client/:
//   sower-history.js         an ES module, for a bundler or <script type="module">
//   sower-history.d.ts       its types
//   sower-history.global.js  for a plain <script> tag: the global SowerHistory.withHistory
import { execFileSync } from "node:child_process";
import { statSync } from "node:fs";
import { build } from "esbuild";

const entry = "client/sower-history.ts";
const outdir = "dist/client";
// Browsers pusher-js 8 supports; nothing newer than ES2019 is needed by the module.
const common = { entryPoints: [entry], bundle: true, minify: true, target: "es2019", legalComments: "none" };

await build({ ...common, format: "esm", outfile: `${outdir}/sower-history.js` });
await build({ ...common, format: "iife", globalName: "SowerHistory", outfile: `${outdir}/sower-history.global.js` });
// Only the declarations: esbuild has written the code. Resolved as a bundler would, as the module is used.
const declarations = ["--declaration", "--emitDeclarationOnly", "--strict", "--skipLibCheck"];
const resolution = ["--target", "es2019", "--module", "es2022", "--moduleResolution", "bundler"];
execFileSync("node_modules/.bin/tsc", [entry, ...declarations, ...resolution, "--outDir", outdir], {
  stdio: "inherit",
});

for (const file of ["sower-history.js", "sower-history.global.js", "sower-history.d.ts"]) {
  console.log(`${outdir}/${file}  ${statSync(`${outdir}/${file}`).size} bytes`);
}
