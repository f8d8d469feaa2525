/**
 * Webhooks in process, with a real receiver on 127.0.0.1 (let through by HUBBLE_WEBHOOK_ALLOW):
 * the API's CRUD and who may touch a webhook; payloads and the secret for a commit, a PR opened,
 * commented and merged; the receiver down and every event still arriving, in order; a private
 * repo's events never reaching someone who cannot read it; the SSRF guard without the allowlist.
 * Delivery is driven by calling `deliver()` (the leader's loop does it every second). Runs on
 * SQLite and PostgreSQL.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { file, harness, header, ndjson, type Harness } from "./helpers.js";

type Received = { secret: string | undefined; body: Record<string, any> };
let h: Harness;
let bob: Record<string, string>;
let carol: Record<string, string>;
let receiver: Server;
let port = 0;
let received: Received[] = [];
let answer = 200;

function listen(p = 0): Promise<void> {
  receiver = createServer((req, res) => {
    let data = "";
    req.on("data", (c: Buffer) => (data += c.toString()));
    req.on("end", () => {
      if (answer === 200) received.push({ secret: req.headers["x-webhook-secret"] as string | undefined, body: JSON.parse(data) });
      res.statusCode = answer;
      res.end();
    });
  });
  return new Promise((ok) => receiver.listen(p, "127.0.0.1", () => ok()));
}

before(async () => {
  await listen();
  port = (receiver.address() as AddressInfo).port;
  h = await harness({ HUBBLE_WEBHOOK_ALLOW: "127.0.0.1" });
  const { accounts } = h.hub.services;
  for (const u of ["bob", "carol"]) await accounts.createUser(u, {});
  bob = { authorization: `Bearer ${(await accounts.createToken("bob", { name: "b", role: "write" })).token}` };
  carol = { authorization: `Bearer ${(await accounts.createToken("carol", { name: "c", role: "write" })).token}` };
  for (const [name, priv] of [["hooked", false], ["private", true]] as const) {
    assert.equal((await h.hub.app.inject({ method: "POST", url: "/api/repos/create", headers: h.auth, payload: { name, private: priv } })).statusCode, 200);
  }
});
after(async () => {
  await h.close();
  await new Promise((ok) => receiver.close(ok));
});

type J = Record<string, any>;
const call = async (method: "GET" | "POST" | "DELETE", url: string, headers: Record<string, string> = {}, payload?: unknown) => {
  const r = await h.hub.app.inject({ method, url, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
  return { status: r.statusCode, json: (r.body ? JSON.parse(r.body) : null) as J, body: r.body };
};
const commit = async (repo: string, who: Record<string, string>, path: string, query = "") =>
  h.hub.app.inject({ method: "POST", url: `/api/models/admin/${repo}/commit/main${query}`, headers: { ...who, "content-type": "application/x-ndjson" }, payload: ndjson(header(`write ${path}`), file(path, path)) });
/** Delivers until nothing is due. */
async function drain(): Promise<void> {
  while ((await h.hub.services.webhooks.deliver(20)) > 0);
}

test("CRUD as huggingface_hub calls it; a webhook is its owner's alone", async () => {
  const created = await call("POST", "/api/settings/webhooks", h.auth, { watched: [{ type: "model", name: "admin/hooked" }, { type: "user", name: "not-yet-a-user" }], url: `http://127.0.0.1:${port}/hook`, secret: "s3cret" });
  assert.equal(created.status, 200, created.body);
  const w = created.json.webhook;
  assert.match(w.id, /^[0-9a-f]{24}$/);
  assert.deepEqual(w.domains, ["repo", "discussion"], "both domains by default");
  assert.equal(w.disabled, false);
  assert.equal(w.secret, "s3cret");
  assert.deepEqual((await call("GET", `/api/settings/webhooks/${w.id}`, h.auth)).json.webhook.watched, w.watched);
  assert.deepEqual((await call("GET", "/api/settings/webhooks", h.auth)).json.map((x: J) => x.id), [w.id]);
  const updated = await call("POST", `/api/settings/webhooks/${w.id}`, h.auth, { watched: [{ type: "model", name: "admin/hooked" }], domains: ["repo"] });
  assert.equal(updated.status, 200, updated.body);
  assert.deepEqual(updated.json.webhook.domains, ["repo"]);
  assert.equal((await call("POST", `/api/settings/webhooks/${w.id}/disable`, h.auth)).json.webhook.disabled, true);
  assert.equal((await call("POST", `/api/settings/webhooks/${w.id}/enable`, h.auth)).json.webhook.disabled, false);
  assert.equal((await call("GET", `/api/settings/webhooks/${w.id}`, bob)).status, 404, "someone else's webhook does not exist");
  assert.equal((await call("POST", `/api/settings/webhooks/${w.id}/disable`, bob)).status, 404);
  assert.equal((await call("DELETE", `/api/settings/webhooks/${w.id}`, bob)).status, 404);
  assert.equal((await call("GET", "/api/settings/webhooks")).status, 401);
  assert.deepEqual((await call("GET", "/api/settings/webhooks", bob)).json, []);
  assert.equal((await call("POST", "/api/settings/webhooks", h.auth, { watched: [], url: `http://127.0.0.1:${port}/` })).status, 400);
  assert.equal((await call("POST", "/api/settings/webhooks", h.auth, { watched: [{ type: "repo", name: "x" }], url: `http://127.0.0.1:${port}/` })).status, 400);
  assert.equal((await call("POST", "/api/settings/webhooks", h.auth, { watched: [{ type: "user", name: "admin" }], jobSourceId: "abc" })).status, 400);
  assert.equal((await call("DELETE", `/api/settings/webhooks/${w.id}`, h.auth)).status, 200);
  assert.equal((await call("GET", `/api/settings/webhooks/${w.id}`, h.auth)).status, 404);
});

test("payloads and secret: a commit, a PR opened, commented and merged; the delivery log", async () => {
  const w = (await call("POST", "/api/settings/webhooks", h.auth, { watched: [{ type: "user", name: "admin" }], url: `http://127.0.0.1:${port}/hook`, secret: "s3cret" })).json.webhook;
  received = [];
  const c = await commit("hooked", h.auth, "a.txt");
  assert.equal(c.statusCode, 200);
  const oid = c.json().commitOid;
  const pr = await commit("hooked", bob, "b.txt", "?create_pr=1");
  assert.equal(pr.statusCode, 200);
  assert.equal((await call("POST", "/api/models/admin/hooked/discussions/1/comment", bob, { comment: "Please merge" })).status, 200);
  assert.equal((await call("POST", "/api/models/admin/hooked/discussions/1/merge", h.auth)).status, 200);
  await drain();
  const events = received.map((r) => `${r.body.event.scope}:${r.body.event.action}`);
  assert.deepEqual(events, ["repo.content:update", "repo.content:update", "discussion:create", "discussion.comment:create", "repo.content:update", "discussion:update"]);
  assert.ok(received.every((r) => r.secret === "s3cret"), "X-Webhook-Secret on every delivery");
  const first = received[0]!.body;
  assert.deepEqual(first.updatedRefs, [{ ref: "refs/heads/main", oldSha: first.updatedRefs[0].oldSha, newSha: oid }]);
  assert.equal(first.repo.headSha, oid);
  assert.equal(first.repo.name, "admin/hooked");
  assert.equal(first.repo.type, "model");
  assert.equal(first.webhook.id, w.id);
  assert.equal(first.webhook.version, 3);
  assert.equal(received[1]!.body.updatedRefs[0].ref, "refs/pr/1");
  const opened = received[2]!.body.discussion;
  assert.deepEqual([opened.num, opened.isPullRequest, opened.status, opened.author.id, opened.changes.base], [1, true, "open", "bob", "refs/heads/main"]);
  assert.equal(received[3]!.body.comment.content, "Please merge");
  const merged = received[5]!.body.discussion;
  assert.equal(merged.status, "merged");
  assert.equal(merged.changes.mergeCommitId, received[4]!.body.updatedRefs[0].newSha);
  const log = (await call("GET", `/api/settings/webhooks/${w.id}/deliveries`, h.auth)).json as J[];
  assert.equal(log.length, 6);
  assert.ok(log.every((d) => d.status === "delivered" && d.lastStatus === 200 && d.attempts === 1));
  assert.equal((await call("GET", `/api/settings/webhooks/${w.id}/deliveries`, bob)).status, 404);
  await call("DELETE", `/api/settings/webhooks/${w.id}`, h.auth);
});

test("the receiver down, then failing, then back: every event arrives, in order", async () => {
  const w = (await call("POST", "/api/settings/webhooks", h.auth, { watched: [{ type: "model", name: "admin/hooked" }], url: `http://127.0.0.1:${port}/hook`, domains: ["repo"] })).json.webhook;
  received = [];
  await new Promise((ok) => receiver.close(ok));
  for (const p of ["down1.txt", "down2.txt"]) assert.equal((await commit("hooked", h.auth, p)).statusCode, 200);
  await drain();
  let log = (await call("GET", `/api/settings/webhooks/${w.id}/deliveries`, h.auth)).json as J[];
  assert.deepEqual(log.map((d) => [d.status, d.attempts]), [["pending", 0], ["pending", 1]], "the first failed once, the second waits behind it");
  assert.match(log[1]!.lastError, /ECONNREFUSED|connect/);
  await listen(port);
  answer = 503;
  await new Promise((r) => setTimeout(r, 1100));
  await drain();
  log = (await call("GET", `/api/settings/webhooks/${w.id}/deliveries`, h.auth)).json as J[];
  assert.equal(log[1]!.lastStatus, 503);
  assert.equal(received.length, 0);
  answer = 200;
  await new Promise((r) => setTimeout(r, 2100));
  await drain();
  await new Promise((r) => setTimeout(r, 100));
  await drain();
  assert.deepEqual(received.map((r) => r.body.updatedRefs[0].newSha.length), [40, 40]);
  const files = received.map((r) => r.body.repo.headSha);
  log = (await call("GET", `/api/settings/webhooks/${w.id}/deliveries`, h.auth)).json as J[];
  assert.deepEqual(log.map((d) => d.status), ["delivered", "delivered"]);
  assert.notEqual(files[0], files[1], "two distinct events, oldest first");
  await call("DELETE", `/api/settings/webhooks/${w.id}`, h.auth);
});

test("a private repo's events reach only webhooks whose owner can read it; a disabled webhook hears nothing, its queue waits", async () => {
  const mine = (await call("POST", "/api/settings/webhooks", h.auth, { watched: [{ type: "user", name: "admin" }], url: `http://127.0.0.1:${port}/admin`, domains: ["repo"] })).json.webhook;
  const spy = (await call("POST", "/api/settings/webhooks", carol, { watched: [{ type: "user", name: "admin" }, { type: "model", name: "admin/private" }], url: `http://127.0.0.1:${port}/carol` })).json.webhook;
  received = [];
  assert.equal((await commit("private", h.auth, "secret.txt")).statusCode, 200);
  await drain();
  assert.deepEqual(received.map((r) => r.body.webhook.id), [mine.id], "carol's webhook heard nothing");
  assert.deepEqual((await call("GET", `/api/settings/webhooks/${spy.id}/deliveries`, carol)).json, []);
  // Queued, then disabled before it went out: it waits, and goes when the webhook is enabled.
  received = [];
  assert.equal((await commit("hooked", h.auth, "queued.txt")).statusCode, 200);
  await call("POST", `/api/settings/webhooks/${mine.id}/disable`, h.auth);
  // While disabled, events are not recorded for it (as on the Hub).
  assert.equal((await commit("hooked", h.auth, "while-disabled.txt")).statusCode, 200);
  await drain();
  const forMine = () => received.filter((r) => r.body.webhook.id === mine.id);
  assert.equal(forMine().length, 0);
  assert.equal(received.filter((r) => r.body.webhook.id === spy.id).length, 2, "carol's webhook hears the public repo's events");
  await call("POST", `/api/settings/webhooks/${mine.id}/enable`, h.auth);
  await drain();
  assert.deepEqual(forMine().map((r) => r.body.updatedRefs[0].ref), ["refs/heads/main"], "the queued event, sent once enabled; none for the time it was off");
  assert.equal(forMine().length, 1);
});

test("SSRF guard: loopback, private, link-local and non-http targets are refused without the allowlist", async () => {
  const strict = await harness();
  try {
    for (const url of ["http://127.0.0.1:9/", "http://localhost/", "http://10.1.2.3/", "http://192.168.0.10/", "http://169.254.169.254/latest/meta-data", "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://0.0.0.0/", "file:///etc/passwd", "http://user:pw@example.com/"]) {
      const r = await strict.hub.app.inject({ method: "POST", url: "/api/settings/webhooks", headers: strict.auth, payload: { watched: [{ type: "user", name: "admin" }], url } });
      assert.equal(r.statusCode, 400, `${url}: ${r.body}`);
    }
    // At delivery too: the check runs on the addresses the connection uses (DNS rebinding).
    await assert.rejects(() => (strict.hub.services.webhooks as unknown as { sender: { send: (u: string, b: string, h: Record<string, string>) => Promise<unknown> } }).sender.send(`http://localhost:${port}/`, "{}", {}), /loopback|private/);
  } finally {
    await strict.close();
  }
});
