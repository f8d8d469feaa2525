/**
 * Collections through the HTTP API in the Hub's shapes: create (409 with the slug on a duplicate
 * title), add repos with notes, reorder, update metadata (the slug keeps its key), list with
 * filters and paging, delete; privacy — a private collection is a 404 for outsiders, a private
 * repo in a public collection is hidden from those who cannot read it, and cannot be added by
 * them; pages. Runs on SQLite and PostgreSQL.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { harness, type Harness } from "./helpers.js";

let h: Harness;
let bob: Record<string, string>;
before(async () => {
  h = await harness();
  await h.hub.services.accounts.createUser("bob", {});
  bob = { authorization: `Bearer ${(await h.hub.services.accounts.createToken("bob", { name: "b", role: "write" })).token}` };
  for (const [name, type, priv] of [["m1", "model", false], ["m2", "model", false], ["d1", "dataset", false], ["hidden", "model", true]] as const) {
    assert.equal((await h.hub.app.inject({ method: "POST", url: "/api/repos/create", headers: h.auth, payload: { name, type, private: priv } })).statusCode, 200);
  }
});
after(async () => h.close());

type J = Record<string, any>;
const call = async (method: "GET" | "POST" | "PATCH" | "DELETE", url: string, headers: Record<string, string> = {}, payload?: unknown) => {
  const r = await h.hub.app.inject({ method, url, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
  return { status: r.statusCode, json: (r.body && r.headers["content-type"]?.toString().includes("json") ? JSON.parse(r.body) : null) as J, body: r.body, headers: r.headers };
};

test("create, add with notes, reorder, rename (the key stays), delete items and the collection", async () => {
  const created = await call("POST", "/api/collections", h.auth, { title: "Best models", namespace: "admin", description: "My picks", private: false });
  assert.equal(created.status, 200, created.body);
  const slug = created.json.slug as string;
  assert.match(slug, /^admin\/best-models-[0-9a-f]{24}$/);
  assert.deepEqual([created.json.title, created.json.description, created.json.private, created.json.owner.name, created.json.items], ["Best models", "My picks", false, "admin", []]);
  const dup = await call("POST", "/api/collections", h.auth, { title: "best MODELS", namespace: "admin" });
  assert.equal(dup.status, 409);
  assert.equal(dup.json.slug, slug, "the 409 names the existing collection (huggingface_hub's exists_ok)");

  for (const [id, type, note] of [["admin/m1", "model", "The **first**"], ["admin/d1", "dataset", null], ["admin/m2", "model", null]] as const) {
    const r = await call("POST", `/api/collections/${slug}/items`, h.auth, { item: { id, type }, ...(note ? { note } : {}) });
    assert.equal(r.status, 200, r.body);
  }
  assert.equal((await call("POST", `/api/collections/${slug}/items`, h.auth, { item: { id: "admin/m1", type: "model" } })).status, 409, "once per collection");
  assert.equal((await call("POST", `/api/collections/${slug}/items`, h.auth, { item: { id: "2310.01234", type: "paper" } })).status, 400);
  let c = (await call("GET", `/api/collections/${slug}`)).json;
  assert.deepEqual(c.items.map((i: J) => [i.id, i.type, i.position]), [["admin/m1", "model", 0], ["admin/d1", "dataset", 1], ["admin/m2", "model", 2]]);
  assert.deepEqual(c.items[0].note, { text: "The **first**", html: c.items[0].note.html });
  assert.match(c.items[0].note.html, /<strong>first<\/strong>/);

  const m2 = c.items[2]._id as string;
  assert.equal((await call("PATCH", `/api/collections/${slug}/items/${m2}`, h.auth, { position: 0, note: "Now first" })).status, 200);
  c = (await call("GET", `/api/collections/${slug}`)).json;
  assert.deepEqual(c.items.map((i: J) => [i.id, i.position]), [["admin/m2", 0], ["admin/m1", 1], ["admin/d1", 2]]);
  assert.equal(c.items[0].note.text, "Now first");

  const renamed = await call("PATCH", `/api/collections/${slug}`, h.auth, { title: "Favourite models", description: "Updated", theme: "green" });
  assert.equal(renamed.status, 200, renamed.body);
  const newSlug = renamed.json.data.slug as string;
  assert.equal(newSlug.slice(-24), slug.slice(-24), "the key stays");
  assert.match(newSlug, /^admin\/favourite-models-/);
  assert.equal((await call("GET", `/api/collections/${slug}`)).json.title, "Favourite models", "the old slug still finds it");
  assert.equal((await call("DELETE", `/api/collections/${newSlug}/items/${c.items[1]._id}`, h.auth)).status, 200);
  assert.deepEqual((await call("GET", `/api/collections/${newSlug}`)).json.items.map((i: J) => i.id), ["admin/m2", "admin/d1"]);

  assert.equal((await call("PATCH", `/api/collections/${newSlug}`, bob, { title: "Mine now" })).status, 403, "not bob's");
  assert.equal((await call("POST", `/api/collections/${newSlug}/items`, bob, { item: { id: "admin/m1", type: "model" } })).status, 403);
  assert.equal((await call("DELETE", `/api/collections/${newSlug}`, bob)).status, 403);
  assert.equal((await call("DELETE", `/api/collections/${newSlug}`, h.auth)).status, 200);
  assert.equal((await call("GET", `/api/collections/${newSlug}`)).status, 404);
});

test("privacy: private collections, private repos inside public ones", async () => {
  const secret = (await call("POST", "/api/collections", h.auth, { title: "Secret list", namespace: "admin", private: true })).json.slug as string;
  const open = (await call("POST", "/api/collections", h.auth, { title: "Open list", namespace: "admin" })).json.slug as string;
  assert.equal((await call("GET", `/api/collections/${secret}`, bob)).status, 404);
  assert.equal((await call("GET", `/api/collections/${secret}`)).status, 404);
  assert.equal((await call("GET", `/api/collections/${secret}`, h.auth)).status, 200);
  for (const id of ["admin/m1", "admin/hidden"]) assert.equal((await call("POST", `/api/collections/${open}/items`, h.auth, { item: { id, type: "model" } })).status, 200);
  assert.deepEqual((await call("GET", `/api/collections/${open}`, bob)).json.items.map((i: J) => i.id), ["admin/m1"], "the private repo is hidden from bob");
  assert.deepEqual((await call("GET", `/api/collections/${open}`, h.auth)).json.items.map((i: J) => i.id), ["admin/m1", "admin/hidden"]);
  const bobs = (await call("POST", "/api/collections", bob, { title: "Bob's", namespace: "bob" })).json.slug as string;
  assert.equal((await call("POST", `/api/collections/${bobs}/items`, bob, { item: { id: "admin/hidden", type: "model" } })).status, 404, "a repo bob cannot read cannot be added");
  assert.equal((await call("POST", "/api/collections", bob, { title: "In admin's name", namespace: "admin" })).status, 403);

  const listedByBob = (await call("GET", "/api/collections?owner=admin", bob)).json as J[];
  assert.ok(!listedByBob.some((c) => c.slug === secret), "a private collection is not listed for others");
  assert.ok(listedByBob.some((c) => c.slug === open));
  assert.ok(((await call("GET", "/api/collections?owner=admin", h.auth)).json as J[]).some((c) => c.slug === secret));
  assert.deepEqual(((await call("GET", "/api/collections?item=models/admin/m1", h.auth)).json as J[]).map((c) => c.slug), [open]);
  assert.deepEqual(((await call("GET", "/api/collections?item=models/admin/hidden", bob)).json as J[]), [], "filtering by a repo bob cannot see finds nothing");
  assert.deepEqual(((await call("GET", "/api/collections?q=secret", bob)).json as J[]), []);

  const page = await call("GET", `/collections/${open}`, bob);
  assert.equal(page.status, 200);
  assert.ok(page.body.includes("admin/m1") && !page.body.includes("admin/hidden"));
  assert.equal((await call("GET", `/collections/${secret}`, bob)).status, 404);
  const list = await call("GET", "/collections/admin", bob);
  assert.ok(list.body.includes("Open list") && !list.body.includes("Secret list"));
});

test("listing pages with Link (huggingface.js listCollections follows it)", async () => {
  for (let i = 0; i < 5; i++) assert.equal((await call("POST", "/api/collections", bob, { title: `Paged ${i}`, namespace: "bob" })).status, 200);
  const first = await call("GET", "/api/collections?owner=bob&limit=3", bob);
  assert.equal(first.json.length, 3);
  const next = /<([^>]+)>; rel="next"/.exec(String(first.headers.link))![1]!;
  const second = await call("GET", next.replace("http://hub.test", ""), bob);
  assert.ok(second.json.length >= 3);
  assert.equal(new Set([...(first.json as unknown as J[]), ...(second.json as unknown as J[])].map((c: J) => c.slug)).size, first.json.length + second.json.length);
});
