/** The token API: create (role, name checks), list (no secrets), revoke; revoked tokens stop working. */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { harness, type Harness } from "./helpers.js";

let h: Harness;
before(async () => {
  h = await harness();
});
after(async () => {
  await h?.close();
});

test("create, list and revoke tokens; a revoked token is refused; no secret is listed", async () => {
  const made = await h.hub.app.inject({ method: "POST", url: "/api/settings/tokens", headers: h.auth, payload: { name: "ci", role: "read" } });
  assert.equal(made.statusCode, 200, made.body);
  const { token, id, role } = made.json();
  assert.match(token, /^hf_[A-Za-z0-9]{20,}$/);
  assert.equal(role, "read");
  const me = await h.hub.app.inject({ method: "GET", url: "/api/whoami-v2", headers: { authorization: `Bearer ${token}` } });
  assert.equal(me.json().auth.accessToken.role, "read");
  assert.equal(me.json().auth.accessToken.displayName, "ci");

  const list = await h.hub.app.inject({ method: "GET", url: "/api/settings/tokens", headers: h.auth });
  assert.deepEqual(list.json().map((t: { displayName: string }) => t.displayName), ["admin", "ci"]);
  assert.ok(!list.body.includes(token), "secrets are never listed");

  const fromRead = await h.hub.app.inject({ method: "POST", url: "/api/settings/tokens", headers: { authorization: `Bearer ${token}` }, payload: { role: "write" } });
  assert.equal(fromRead.statusCode, 403, "a read token cannot mint a write token");
  assert.equal((await h.hub.app.inject({ method: "POST", url: "/api/settings/tokens", headers: h.auth, payload: { role: "admin" } })).statusCode, 400);
  assert.equal((await h.hub.app.inject({ method: "POST", url: "/api/settings/tokens", headers: h.auth, payload: { name: "x".repeat(129) } })).statusCode, 400);
  assert.equal((await h.hub.app.inject({ method: "GET", url: "/api/settings/tokens" })).statusCode, 401);

  assert.equal((await h.hub.app.inject({ method: "DELETE", url: `/api/settings/tokens/${id}`, headers: h.auth })).statusCode, 200);
  assert.equal((await h.hub.app.inject({ method: "GET", url: "/api/whoami-v2", headers: { authorization: `Bearer ${token}` } })).statusCode, 401, "revoked");
  assert.equal((await h.hub.app.inject({ method: "DELETE", url: `/api/settings/tokens/${id}`, headers: h.auth })).statusCode, 404);

  // Another user cannot revoke (or learn about) admin's token.
  await h.hub.services.accounts.createUser("dave", {});
  const dave = (await h.hub.services.accounts.createToken("dave", { role: "write" })).token;
  const adminTokenId = list.json()[0].id;
  assert.equal((await h.hub.app.inject({ method: "DELETE", url: `/api/settings/tokens/${adminTokenId}`, headers: { authorization: `Bearer ${dave}` } })).statusCode, 404);
  assert.equal((await h.hub.app.inject({ method: "GET", url: "/api/whoami-v2", headers: h.auth })).statusCode, 200);
});
