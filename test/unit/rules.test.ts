import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultGitattributes, globToRegExp, lfsPatterns, trackLine } from "../../src/core/gitattributes.js";
import { formatPointer, parsePointer } from "../../src/core/lfs-pointer.js";
import { lfsRules, looksBinary, uploadMode } from "../../src/core/lfs-rules.js";
import { parseCardData, tagsFromCard, validateCard } from "../../src/core/card.js";
import type { Sha256 } from "../../src/core/ids.js";

test("gitattributes globs match like git", () => {
  assert.ok(globToRegExp("*.bin").test("a/b/c.bin"));
  assert.ok(!globToRegExp("*.bin").test("a.bins"));
  assert.ok(globToRegExp("saved_model/**/*").test("saved_model/x/y.pb"));
  assert.ok(globToRegExp("/top.txt").test("top.txt") && !globToRegExp("/top.txt").test("d/top.txt"));
  assert.ok(globToRegExp("*tfevents*").test("runs/events.out.tfevents.123"));
  const pats = lfsPatterns(defaultGitattributes());
  assert.ok(pats.some((r) => r.test("model.safetensors")));
  assert.ok(!pats.some((r) => r.test("config.json")));
  const line = trackLine("my file [1].txt");
  assert.ok(lfsPatterns(line)[0]!.test("my file [1].txt"));
});

test("upload mode: threshold, suffix, .gitattributes, binary sample, empty", () => {
  const rules = lfsRules({ lfsThreshold: null, lfsSuffixRules: [".custom"] }, lfsPatterns("*.special filter=lfs diff=lfs merge=lfs -text"));
  const text = Buffer.from("hello");
  assert.equal(uploadMode(rules, "a.txt", 5, text), "regular");
  assert.equal(uploadMode(rules, "a.txt", 10_000_000, text), "regular");
  assert.equal(uploadMode(rules, "a.txt", 10 * 1024 * 1024 - 1, text), "regular");
  assert.equal(uploadMode(rules, "a.txt", 10 * 1024 * 1024, text), "lfs", "one threshold: 10 MiB, as the push policy and the commit API");
  assert.equal(uploadMode(rules, "w.safetensors", 5, text), "lfs");
  assert.equal(uploadMode(rules, "x.custom", 5, text), "lfs");
  assert.equal(uploadMode(rules, "x.special", 5, text), "lfs");
  assert.equal(uploadMode(rules, "x.dat", 5, Buffer.from([0, 1, 2])), "lfs");
  assert.equal(uploadMode(rules, "x.bin", 0, Buffer.alloc(0)), "regular");
  assert.equal(looksBinary(Buffer.from("héllo wörld")), false);
  assert.equal(looksBinary(Buffer.from([0xff, 0xfe, 0x41, 0x42, 0x43, 0x44, 0x45])), true);
});

test("LFS pointers round-trip and reject near-misses", () => {
  const oid = "ab".repeat(32) as Sha256;
  const text = formatPointer(oid, 123);
  assert.deepEqual(parsePointer(Buffer.from(text)), { oid, size: 123 });
  assert.equal(parsePointer(Buffer.from(text.replace("size", "sizes"))), null);
  assert.equal(parsePointer(Buffer.from(text + "extra")), null);
});

test("card data and tags come from the README YAML header", () => {
  const card = parseCardData("---\nlicense: mit\ntags: [a, b]\ndatasets: [d1]\n---\n# x");
  assert.deepEqual(card, { license: "mit", tags: ["a", "b"], datasets: ["d1"] });
  assert.deepEqual(tagsFromCard(card).sort(), ["a", "b", "dataset:d1", "license:mit"]);
  assert.equal(parseCardData("# no header"), null);
  assert.deepEqual(validateCard("---\nkey: [unclosed\n---\n").errors.length, 1);
  const bad = validateCard("\n---\nlicense: mit\ntags: [a, b\nx: 1\n---\n# card\n");
  assert.match(bad.errors[0]!, /^Invalid YAML at line \d+, column \d+: /);
  assert.deepEqual(bad.at, { line: 5, column: 1 }, "the README's line (blank line and --- above the YAML), not the YAML's");
  assert.deepEqual(validateCard("---\nlicense: mit\nfoo: bar: baz\n---\n").at, { line: 3, column: 6 });
  assert.deepEqual(validateCard("---\nlicense: mit\n---\n"), { errors: [], warnings: [] });
  assert.deepEqual(validateCard("\n\n---\nlicense: mit\n---\n# x"), { errors: [], warnings: [] }, "front matter after blank lines");
  assert.deepEqual(parseCardData("\n  \n---\nlicense: mit\n---\n"), { license: "mit" });
  assert.deepEqual(validateCard("# no metadata\n").warnings, ["Empty or missing yaml metadata in repo card"]);
  assert.deepEqual(validateCard("---\n---\n# empty\n").warnings, ["Empty or missing yaml metadata in repo card"]);
  assert.deepEqual(validateCard("---\nmodel-index: foo\nlicense: 3\n---\n").errors, ['"model-index" must be a list of {name, results} entries', '"license" must be a string']);
  assert.equal(parseCardData("---\ntitle: a---\nb: c\n---\n")?.b, "c", "a closing --- must start a line");
});
