/**
 * Commits written by Hubble's own pack writer and tree editor are valid git: `git fsck --strict`
 * is clean, entries sort as git sorts them (`a-` < `a.b` < `a/` < `a0`), emptied folders vanish,
 * non-ASCII names survive, and the pack files are owner-only.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { file, harness, header, ndjson, type Harness } from "./helpers.js";

let h: Harness;
before(async () => {
  h = await harness();
  assert.equal((await h.hub.app.inject({ method: "POST", url: "/api/repos/create", headers: h.auth, payload: { name: "objs" } })).statusCode, 200);
});
after(async () => h?.close());

const commit = async (...lines: unknown[]) => {
  const r = await h.hub.app.inject({ method: "POST", url: "/api/models/admin/objs/commit/main", headers: { ...h.auth, "content-type": "application/x-ndjson" }, payload: ndjson(header("objs"), ...lines) });
  assert.equal(r.statusCode, 200, r.body);
};

test("trees and commits written without git pass git fsck --strict", async () => {
  await commit(file("a/b/c.txt", "1"), file("a/b-c.txt", "2"), file("a/b.txt", "3"), file("a.b", "4"), file("ü/ñ.txt", "5"), file("Z", "6"), file("a-", "7"), file("a0", "9"));
  await commit({ key: "deletedFile", value: { path: "a/b/c.txt" } }, file("a/b0", "8"));
  const dir = join(h.hub.services.config.data, "repos/models/admin/objs.git");
  execFileSync("git", ["fsck", "--strict", "--no-dangling"], { cwd: dir, stdio: "pipe" });
  const names = execFileSync("git", ["-c", "core.quotePath=false", "ls-tree", "-r", "--name-only", "main"], { cwd: dir, encoding: "utf8" }).trim().split("\n");
  assert.deepEqual(names, [".gitattributes", "Z", "a-", "a.b", "a/b-c.txt", "a/b.txt", "a/b0", "a0", "ü/ñ.txt"]);
  assert.equal(execFileSync("git", ["show", "main:a/b0"], { cwd: dir, encoding: "utf8" }), "8");
  for (const f of readdirSync(join(dir, "objects/pack"))) assert.equal(statSync(join(dir, "objects/pack", f)).mode & 0o077, 0, f);
});
