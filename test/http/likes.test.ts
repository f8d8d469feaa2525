/**
 * Likes: like/unlike (idempotent, counted on the repo), likers and a user's likes in the Hub's
 * shapes, and privacy — a private repo never shows, nor can be liked, for someone who cannot read
 * it. Runs on SQLite and, in npm test's second phase, on PostgreSQL.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { harness, type Harness } from "./helpers.js";

let h: Harness;
let bob: Record<string, string>;
let bobRead: Record<string, string>;
before(async () => {
  h = await harness();
  await h.hub.services.accounts.createUser("bob", {});
  bob = { authorization: `Bearer ${(await h.hub.services.accounts.createToken("bob", { name: "b", role: "write" })).token}` };
  bobRead = { authorization: `Bearer ${(await h.hub.services.accounts.createToken("bob", { name: "r", role: "read" })).token}` };
  for (const [name, priv] of [["liked", false], ["secret", true]] as const) {
    const r = await h.hub.app.inject({ method: "POST", url: "/api/repos/create", headers: h.auth, payload: { name, private: priv } });
    assert.equal(r.statusCode, 200, r.body);
  }
});
after(async () => h.close());

const inject = (method: "GET" | "POST" | "DELETE", url: string, headers: Record<string, string> = {}) => h.hub.app.inject({ method, url, headers });
const likes = async (id: string) => (await inject("GET", `/api/models/${id}`, h.auth)).json().likes as number;

test("like and unlike: idempotent, counted on the repo, listed both ways", async () => {
  assert.equal((await inject("POST", "/api/models/admin/liked/like", bob)).statusCode, 200);
  assert.equal((await inject("POST", "/api/models/admin/liked/like", bob)).statusCode, 200, "liking twice is fine");
  assert.equal((await inject("POST", "/api/models/admin/liked/like", h.auth)).statusCode, 200);
  assert.equal(await likes("admin/liked"), 2);
  const likers = (await inject("GET", "/api/models/admin/liked/likers")).json() as { user: string; fullname: string; avatarUrl: string }[];
  assert.deepEqual(likers.map((l) => l.user).sort(), ["admin", "bob"]);
  assert.ok(likers.every((l) => typeof l.fullname === "string" && typeof l.avatarUrl === "string"));
  const mine = (await inject("GET", "/api/users/bob/likes")).json() as { createdAt: string; repo: { name: string; type: string } }[];
  assert.deepEqual(mine.map((l) => l.repo), [{ name: "admin/liked", type: "model" }]);
  assert.match(mine[0]!.createdAt, /^\d{4}-\d\d-\d\dT/);
  assert.equal((await inject("DELETE", "/api/models/admin/liked/like", bob)).statusCode, 200);
  assert.equal((await inject("DELETE", "/api/models/admin/liked/like", bob)).statusCode, 200, "unliking twice is fine");
  assert.equal(await likes("admin/liked"), 1);
  assert.deepEqual((await inject("GET", "/api/users/bob/likes")).json(), []);
});

test("likes need a signed-in writer; a private repo cannot be liked, nor seen liked, by outsiders", async () => {
  assert.equal((await inject("POST", "/api/models/admin/liked/like")).statusCode, 401);
  assert.equal((await inject("POST", "/api/models/admin/liked/like", bobRead)).statusCode, 403);
  assert.equal((await inject("POST", "/api/models/admin/secret/like", bob)).statusCode, 404, "a private repo does not exist for bob");
  assert.equal((await inject("GET", "/api/models/admin/secret/likers", bob)).statusCode, 404);
  assert.equal((await inject("POST", "/api/models/admin/secret/like", h.auth)).statusCode, 200);
  const seenByOwner = (await inject("GET", "/api/users/admin/likes", h.auth)).json() as { repo: { name: string } }[];
  assert.ok(seenByOwner.some((l) => l.repo.name === "admin/secret"));
  const seenByBob = (await inject("GET", "/api/users/admin/likes", bob)).json() as { repo: { name: string } }[];
  assert.ok(!seenByBob.some((l) => l.repo.name === "admin/secret"), "the private like is hidden from bob");
  const anonymous = (await inject("GET", "/api/users/admin/likes")).json() as { repo: { name: string } }[];
  assert.ok(!anonymous.some((l) => l.repo.name === "admin/secret"));
  assert.equal((await inject("GET", "/api/users/nobody/likes")).statusCode, 404);
});

test("lists sort by likes, in the API (list_models(sort=\"likes\")) and on the list page", async () => {
  for (const name of ["few", "many"]) assert.equal((await h.hub.app.inject({ method: "POST", url: "/api/repos/create", headers: h.auth, payload: { name } })).statusCode, 200);
  for (const who of [bob, h.auth]) assert.equal((await inject("POST", "/api/models/admin/many/like", who)).statusCode, 200);
  assert.equal((await inject("POST", "/api/models/admin/few/like", bob)).statusCode, 200);
  const listed = (await inject("GET", "/api/models?sort=likes&direction=-1&author=admin", h.auth)).json() as { id: string; likes: number }[];
  const order = listed.filter((r) => ["admin/many", "admin/few"].includes(r.id)).map((r) => `${r.id}:${r.likes}`);
  assert.deepEqual(order, ["admin/many:2", "admin/few:1"]);
  assert.ok(listed.every((r, i) => i === 0 || listed[i - 1]!.likes >= r.likes), "descending by likes");
  const page = await inject("GET", "/models?sort=likes", h.auth);
  assert.equal(page.statusCode, 200);
  assert.ok(page.body.indexOf("admin/many") < page.body.indexOf("admin/few"), "the page lists the most liked first");
});

test("a deleted repo takes its likes with it", async () => {
  assert.equal((await inject("POST", "/api/models/admin/liked/like", bob)).statusCode, 200);
  const del = await h.hub.app.inject({ method: "DELETE", url: "/api/repos/delete", headers: h.auth, payload: { name: "liked" } });
  assert.equal(del.statusCode, 200, del.body);
  const left = (await inject("GET", "/api/users/bob/likes")).json() as { repo: { name: string } }[];
  assert.ok(!left.some((l) => l.repo.name === "admin/liked"), "the deleted repo's like is gone");
  assert.ok(left.some((l) => l.repo.name === "admin/many"), "other likes stay");
});
