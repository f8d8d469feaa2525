/**
 * Gated repos on every surface that serves content: resolve, raw, the LFS batch (downloads), the
 * Xet read-token route and git upload-pack answer GatedRepo until the request is accepted;
 * metadata stays readable; writes are unaffected for the owner.
 */
import { createHash } from "node:crypto";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { harness, type Harness } from "./helpers.js";

let h: Harness;
let carol: { authorization: string };
const oid = createHash("sha256").update("x").digest("hex");

before(async () => {
  h = await harness();
  await h.hub.services.accounts.createUser("carol", {});
  carol = { authorization: `Bearer ${(await h.hub.services.accounts.createToken("carol", { name: "c", role: "write" })).token}` };
  assert.equal((await h.hub.app.inject({ method: "POST", url: "/api/repos/create", headers: h.auth, payload: { name: "g", type: "model" } })).statusCode, 200);
  assert.equal((await h.hub.app.inject({ method: "PUT", url: "/api/models/admin/g/settings", headers: h.auth, payload: { gated: "manual" } })).statusCode, 200);
});
after(async () => {
  await h?.close();
});

const surfaces = () => [
  { name: "resolve", req: { method: "GET" as const, url: "/admin/g/resolve/main/.gitattributes" } },
  { name: "raw", req: { method: "GET" as const, url: "/admin/g/raw/main/.gitattributes" } },
  { name: "xet read token", req: { method: "GET" as const, url: "/api/models/admin/g/xet-read-token/main" } },
  { name: "git upload-pack advertisement", req: { method: "GET" as const, url: "/admin/g.git/info/refs?service=git-upload-pack" } },
  {
    name: "LFS batch download",
    req: { method: "POST" as const, url: "/admin/g.git/info/lfs/objects/batch", headers: { "content-type": "application/vnd.git-lfs+json" }, payload: { operation: "download", objects: [{ oid, size: 1 }] } },
  },
];

test("regression (KohakuHub ignores gated): a gated repo's content is refused with GatedRepo on every surface until access is accepted", async () => {
  for (const s of surfaces()) {
    const anon = await h.hub.app.inject({ ...s.req });
    assert.equal(anon.statusCode, 401, `${s.name} anonymous`);
    assert.equal(anon.headers["x-error-code"], "GatedRepo", s.name);
    assert.match(anon.body, /restricted/, s.name);
    const r = await h.hub.app.inject({ ...s.req, headers: { ...(s.req.headers ?? {}), ...carol } });
    assert.equal(r.statusCode, 403, `${s.name}: ${r.body}`);
    assert.equal(r.headers["x-error-code"], "GatedRepo", s.name);
    const owner = await h.hub.app.inject({ ...s.req, headers: { ...(s.req.headers ?? {}), ...h.auth } });
    assert.equal(owner.statusCode, 200, `${s.name} owner`);
  }
  assert.equal((await h.hub.app.inject({ method: "GET", url: "/api/models/admin/g", headers: carol })).statusCode, 200, "metadata stays visible");
  assert.equal((await h.hub.app.inject({ method: "GET", url: "/api/models/admin/g/tree/main", headers: carol })).statusCode, 200);

  const ask = await h.hub.app.inject({ method: "POST", url: "/admin/g/ask-access", headers: carol, payload: { reason: "eval" } });
  assert.deepEqual(ask.json().status, "pending");
  assert.equal((await h.hub.app.inject({ ...surfaces()[0]!.req, headers: carol })).statusCode, 403, "pending is not access");
  assert.equal((await h.hub.app.inject({ method: "POST", url: "/api/models/admin/g/user-access-request/handle", headers: carol, payload: { user: "carol", status: "accepted" } })).statusCode, 403, "requesters cannot accept themselves");
  assert.equal((await h.hub.app.inject({ method: "POST", url: "/api/models/admin/g/user-access-request/handle", headers: h.auth, payload: { user: "carol", status: "accepted" } })).statusCode, 200);
  for (const s of surfaces()) {
    const r = await h.hub.app.inject({ ...s.req, headers: { ...(s.req.headers ?? {}), ...carol } });
    assert.equal(r.statusCode, 200, `${s.name} after acceptance: ${r.body}`);
  }
  assert.equal((await h.hub.app.inject({ method: "POST", url: "/api/models/admin/g/user-access-request/handle", headers: h.auth, payload: { user: "carol", status: "maybe" } })).statusCode, 400);
  assert.equal((await h.hub.app.inject({ method: "GET", url: "/api/models/admin/g/user-access-request/everything", headers: h.auth })).statusCode, 400);
});

test("access requests on a repo that is not gated are refused", async () => {
  assert.equal((await h.hub.app.inject({ method: "POST", url: "/api/repos/create", headers: h.auth, payload: { name: "open", type: "model" } })).statusCode, 200);
  const r = await h.hub.app.inject({ method: "POST", url: "/admin/open/ask-access", headers: carol, payload: {} });
  assert.equal(r.statusCode, 400);
  assert.match(String(r.headers["x-error-message"]), /not gated/);
});
