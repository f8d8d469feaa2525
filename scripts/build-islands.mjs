// Bundles the browser islands (islands/*.ts) into dist/static with esbuild: one minified ES module
// per island, served by the web surface from /static/. Type-checked by `tsc -p islands` first.
import { build } from "esbuild";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

// The package's `exports` hide its browser build from esbuild's resolver (its `browser` map names
// the Node entry only), so point at the browser build by path.
const hub = join(dirname(createRequire(import.meta.url).resolve("@huggingface/hub")), "browser/index.mjs");

await build({
  entryPoints: ["islands/upload.ts"],
  outdir: "dist/static",
  bundle: true,
  format: "esm",
  minify: true,
  target: "es2022",
  platform: "browser",
  legalComments: "none",
  logLevel: "warning",
  alias: { "@huggingface/hub": hub },
});
