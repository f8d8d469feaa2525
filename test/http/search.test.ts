/**
 * Substring search over repo names through the search index (SQLite FTS5 trigram, PostgreSQL
 * pg_trgm): the same answers as a plain scan — `_` and `%` match literally, short queries work,
 * renames and deletes are seen at once. Runs on both databases with the rest of the HTTP suites.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { harness, type Harness } from "./helpers.js";

let h: Harness;
before(async () => {
  h = await harness();
  for (const name of ["alpha_model", "alpha-model", "alphaXmodel", "beta", "gone-soon"]) {
    assert.equal((await h.hub.app.inject({ method: "POST", url: "/api/repos/create", headers: h.auth, payload: { name } })).statusCode, 200);
  }
});
after(async () => h?.close());

const search = async (q: string) => ((await h.hub.app.inject({ method: "GET", url: `/api/models?search=${encodeURIComponent(q)}`, headers: h.auth })).json() as { id: string }[]).map((r) => r.id).sort();

test("substring search through the index answers as a scan would", async () => {
  assert.deepEqual(await search("pha"), ["admin/alpha-model", "admin/alphaXmodel", "admin/alpha_model"]);
  assert.deepEqual(await search("a_m"), ["admin/alpha_model"], "_ is a character, not a wildcard");
  assert.deepEqual(await search("a%m"), [], "% is a character (names cannot hold one), not a wildcard");
  assert.deepEqual(await search("ALPHA-M"), ["admin/alpha-model"], "case-insensitive");
  assert.deepEqual(await search("ta"), ["admin/beta"], "two characters (below the trigram size)");
  assert.deepEqual(await search("zzz"), []);
  const moved = await h.hub.app.inject({ method: "POST", url: "/api/repos/move", headers: h.auth, payload: { fromRepo: "admin/beta", toRepo: "admin/gamma-ray", type: "model" } });
  assert.equal(moved.statusCode, 200, moved.body);
  assert.deepEqual(await search("gamma"), ["admin/gamma-ray"], "a renamed repo is found by its new name");
  assert.deepEqual(await search("beta"), [], "and not by the old one");
  assert.equal((await h.hub.app.inject({ method: "DELETE", url: "/api/repos/delete", headers: h.auth, payload: { name: "gone-soon", type: "model" } })).statusCode, 200);
  assert.deepEqual(await search("gone"), [], "a deleted repo is gone from search");
});
