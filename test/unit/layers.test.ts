/** The layer rule: core imports no framework, driver or SDK; surfaces never import adapters. */
import { readdir, readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { ROOT } from "../e2e/harness.js";

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sources(p)));
    else if (p.endsWith(".ts")) out.push(p);
  }
  return out;
}

const importsOf = (text: string) => [...text.matchAll(/from "([^"]+)"/g)].map((m) => m[1]!);

// Pure parsers and hashes: no I/O, no framework (hyparquet reads only through the AsyncBuffer it is given).
const PURE = new Set(["yaml", "hash-wasm", "hyparquet"]);

test("core imports only core, node built-ins and pure libraries", async () => {
  for (const f of await sources(join(ROOT, "src/core"))) {
    for (const spec of importsOf(await readFile(f, "utf8"))) {
      const inCore = spec.startsWith(".") && resolve(dirname(f), spec).startsWith(join(ROOT, "src/core"));
      assert.ok(inCore || spec.startsWith("node:") || PURE.has(spec), `${f} imports ${spec}`);
    }
  }
});

test("surfaces do not reach into adapters", async () => {
  for (const f of await sources(join(ROOT, "src/surfaces"))) {
    for (const spec of importsOf(await readFile(f, "utf8"))) assert.ok(!spec.includes("/adapters/"), `${f} imports ${spec}`);
  }
});
