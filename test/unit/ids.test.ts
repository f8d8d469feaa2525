import { test } from "node:test";
import assert from "node:assert/strict";
import { HubError } from "../../src/core/errors.js";
import { parseRefName, parseRepoName, parseRepoPath, parseRevision, parseSha256 } from "../../src/core/ids.js";

const rejects = (fn: () => unknown) => assert.throws(fn, (e: unknown) => e instanceof HubError && e.status === 400);

test("repo paths: traversal, absolute, .git, NUL, empty segments are refused", () => {
  for (const bad of ["../x", "a/../b", "/etc/passwd", ".git/config", "a/.git/HEAD", "a/.GIT/x", "a\0b", "a//b", "./a", "a/.", "", "a\\b", "x".repeat(5000)]) {
    rejects(() => parseRepoPath(bad));
  }
  for (const good of ["a.txt", "dir/sub/file.bin", ".gitattributes", "with space.txt", "ünï.txt", ".github/workflows/x.yml"]) {
    assert.equal(parseRepoPath(good), good);
  }
});

test("repo names: namespace/name with HF's character rules and length cap", () => {
  assert.equal(parseRepoName("admin/my-model_1.0"), "admin/my-model_1.0");
  for (const bad of ["noslash", "a/b/c", "a/-x", "a/x-", "a/x..y", "a/x--y", "a/" + "n".repeat(97), "api/x", "a/x.git", "a b/c", 42]) {
    rejects(() => parseRepoName(bad));
  }
});

test("ref names follow git-check-ref-format", () => {
  assert.equal(parseRefName("feature/x"), "feature/x");
  for (const bad of ["", "a..b", "a b", "a~1", "a^", "a:b", "-x", "x.lock", "a//b", "x/", "@", "HEAD", "a@{1}"]) rejects(() => parseRefName(bad));
});

test("revisions and sha256 oids are validated", () => {
  assert.equal(parseRevision("refs/pr/1"), "refs/pr/1");
  for (const bad of ["", "a b", "a..b", "x\n"]) rejects(() => parseRevision(bad));
  assert.equal(parseSha256("a".repeat(64)), "a".repeat(64));
  for (const bad of ["A".repeat(64), "a".repeat(63), "g".repeat(64), 5]) rejects(() => parseSha256(bad));
});
