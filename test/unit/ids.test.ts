import { test } from "node:test";
import assert from "node:assert/strict";
import { HubError } from "../../src/core/errors.js";
import { parseRefName, parseRepoName, parseRepoPath, parseRevision, parseSha256 } from "../../src/core/ids.js";

const rejects = (fn: () => unknown) => assert.throws(fn, (e: unknown) => e instanceof HubError && e.status === 400);

test("repo paths: one rule — 422 for escaping, 400 for what git must not store, backslash is a name", () => {
  const status = (p: unknown) => {
    try {
      parseRepoPath(p);
      return 200;
    } catch (e) {
      return (e as HubError).status;
    }
  };
  for (const escape of ["../x", "a/../b", "/etc/passwd", "..", "a/.."]) assert.equal(status(escape), 422, escape);
  for (const bad of [".git/config", "a/.git/HEAD", "a/.GIT/x", ".Git", "a\0b", "a\nb", "a\rb", "tab\there", "\u007f", "\u0085x", "a//b", "./a", "a/.", "", "a/", "x".repeat(5000), "d/" + "n".repeat(256), 42]) {
    assert.equal(status(bad), 400, JSON.stringify(bad));
  }
  for (const good of ["a.txt", "dir/sub/file.bin", ".gitattributes", "with space.txt", "ünï.txt", ".github/workflows/x.yml", "a\\b", "folder/..\\..\\file", "...", ".git-x", "x.git"]) {
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
  for (const bad of ["", "a..b", "a b", "a~1", "a^", "a:b", "-x", "x.lock", "a//b", "x/", "@", "HEAD", "a@{1}", "a".repeat(40), "0123456789abcdef0123456789abcdef01234567", "refs/heads/x", "heads/x", "tags/v1", "remotes/o/x"]) rejects(() => parseRefName(bad));
});

test("revisions and sha256 oids are validated", () => {
  assert.equal(parseRevision("refs/pr/1"), "refs/pr/1");
  for (const bad of ["", "a b", "a..b", "x\n"]) rejects(() => parseRevision(bad));
  assert.equal(parseSha256("a".repeat(64)), "a".repeat(64));
  for (const bad of ["A".repeat(64), "a".repeat(63), "g".repeat(64), 5]) rejects(() => parseSha256(bad));
});
