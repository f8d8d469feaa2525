/**
 * Safe defaults and URLs the caller cannot steer (issue 11, items 4 and 5): Host and
 * X-Forwarded-* handling with and without HUBBLE_TRUST_PROXY and HUBBLE_PUBLIC_URL, /metrics
 * limited to loopback or a token, a private data folder, opaque repo ids, partial uploads swept,
 * and an oversized NDJSON line refused before it is buffered.
 */
import { createHash } from "node:crypto";
import { mkdtemp, readdir, rm, stat, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadConfig } from "../../src/config.js";
import { bootstrapAdmin, createHubble, type Hubble } from "../../src/main.js";
import { file, header, ndjson } from "./helpers.js";

async function hubWith(env: Record<string, string>, flags: { publicUrl?: string } = {}) {
  const data = await mkdtemp(join(tmpdir(), "hubble-safe-"));
  const hub = await createHubble(loadConfig({ data, ...flags }, env));
  const token = (await bootstrapAdmin(hub))!;
  const auth = { authorization: `Bearer ${token}` };
  assert.equal((await hub.app.inject({ method: "POST", url: "/api/repos/create", headers: auth, payload: { name: "m" } })).statusCode, 200);
  return { hub, data, auth, close: async () => (await hub.close(), await rm(data, { recursive: true, force: true })) };
}

/** The upload href of an LFS batch answer: a URL that carries the caller's credentials. */
async function lfsHref(hub: Hubble, headers: Record<string, string>) {
  const r = await hub.app.inject({
    method: "POST",
    url: "/admin/m.git/info/lfs/objects/batch",
    headers: { ...headers, "content-type": "application/vnd.git-lfs+json" },
    payload: { operation: "upload", transfers: ["basic"], objects: [{ oid: "e".repeat(64), size: 5 }] },
  });
  return { status: r.statusCode, href: r.statusCode === 200 ? (r.json().objects[0].actions.upload.href as string) : "", r };
}

test("forwarded headers are ignored without HUBBLE_TRUST_PROXY; a bad Host is refused", async () => {
  const h = await hubWith({});
  try {
    const spoofed = await lfsHref(h.hub, { ...h.auth, host: "hub.local:8080", "x-forwarded-host": "evil.example", "x-forwarded-proto": "https" });
    assert.equal(spoofed.status, 200);
    assert.match(spoofed.href, /^http:\/\/hub\.local:8080\/lfs\//);
    for (const host of ["evil.example/steal?", "a b", "evil.example@x", "x".repeat(400)]) {
      const r = await h.hub.app.inject({ method: "GET", url: "/api/models/admin/m", headers: { ...h.auth, host } });
      assert.equal(r.statusCode, 400, host);
      assert.equal(r.headers["x-error-message"], "Invalid Host header");
    }
    const token = await h.hub.app.inject({ method: "GET", url: "/api/models/admin/m/xet-write-token/main", headers: { ...h.auth, host: "hub.local", "x-forwarded-host": "evil.example" } });
    assert.equal(token.json().casUrl, "http://hub.local/xet");
  } finally {
    await h.close();
  }
});

test("behind a trusted proxy the forwarded scheme and host are used", async () => {
  const h = await hubWith({ HUBBLE_TRUST_PROXY: "127.0.0.1" });
  try {
    const via = await lfsHref(h.hub, { ...h.auth, host: "10.0.0.2:8080", "x-forwarded-host": "hub.example.org", "x-forwarded-proto": "https" });
    assert.match(via.href, /^https:\/\/hub\.example\.org\/lfs\//);
    const bad = await lfsHref(h.hub, { ...h.auth, host: "10.0.0.2", "x-forwarded-host": "evil/x" });
    assert.equal(bad.status, 400, "a forwarded host is validated too");
  } finally {
    await h.close();
  }
});

test("with HUBBLE_PUBLIC_URL every absolute URL uses it and nothing else", async () => {
  const h = await hubWith({ HUBBLE_TRUST_PROXY: "true" }, { publicUrl: "https://hub.example.org" });
  try {
    const steer = { ...h.auth, host: "evil.example", "x-forwarded-host": "evil2.example", "x-forwarded-proto": "http" };
    assert.match((await lfsHref(h.hub, steer)).href, /^https:\/\/hub\.example\.org\/lfs\//);
    const xet = await h.hub.app.inject({ method: "GET", url: "/api/models/admin/m/xet-write-token/main", headers: steer });
    assert.equal(xet.json().casUrl, "https://hub.example.org/xet");
    const created = await h.hub.app.inject({ method: "POST", url: "/api/repos/create", headers: steer, payload: { name: "n" } });
    assert.equal(created.json().url, "https://hub.example.org/admin/n");
    const commit = await h.hub.app.inject({ method: "POST", url: "/api/models/admin/n/commit/main", headers: { ...steer, "content-type": "application/x-ndjson" }, payload: ndjson(header(), file("a.txt", "a")) });
    assert.match(commit.json().commitUrl, /^https:\/\/hub\.example\.org\/admin\/n\/commit\/[0-9a-f]{40}$/);
    assert.doesNotMatch(JSON.stringify([created.json(), commit.json()]), /evil/);
  } finally {
    await h.close();
  }
});

test("/metrics: loopback only, or the HUBBLE_METRICS_TOKEN bearer token", async () => {
  const open = await hubWith({});
  const guarded = await hubWith({ HUBBLE_METRICS_TOKEN: "metrics-secret-0123456789" });
  try {
    assert.equal((await open.hub.app.inject({ method: "GET", url: "/metrics" })).statusCode, 200, "inject comes from 127.0.0.1");
    const remote = await open.hub.app.inject({ method: "GET", url: "/metrics", remoteAddress: "10.1.2.3" });
    assert.equal(remote.statusCode, 403);
    assert.match(String(remote.headers["x-error-message"]), /loopback/);
    assert.doesNotMatch(remote.body, /hubble_xet/);
    assert.equal((await open.hub.app.inject({ method: "GET", url: "/metrics", remoteAddress: "10.1.2.3", headers: { authorization: "Bearer anything-at-all-here" } })).statusCode, 403, "no token configured: none works");
    const withToken = await guarded.hub.app.inject({ method: "GET", url: "/metrics", remoteAddress: "10.1.2.3", headers: { authorization: "Bearer metrics-secret-0123456789" } });
    assert.equal(withToken.statusCode, 200);
    assert.match(withToken.body, /hubble_xet_xorbs_stored_total/);
    assert.equal((await guarded.hub.app.inject({ method: "GET", url: "/metrics", remoteAddress: "10.1.2.3", headers: { authorization: "Bearer metrics-secret-012345678X" } })).statusCode, 403);
  } finally {
    await open.close();
    await guarded.close();
  }
});

test("the data folder is private: 0700, files 0600, git repos included; registration closed", async () => {
  const h = await hubWith({});
  try {
    const mode = async (p: string) => (await stat(join(h.data, p))).mode & 0o777;
    assert.equal(await mode("."), 0o700);
    for (const f of ["hubble.db", "secret", "admin-token", "repos/models/admin/m.git/HEAD", "repos/models/admin/m.git/config"]) assert.equal(await mode(f), 0o600, f);
    assert.equal(await mode("repos/models/admin/m.git/objects"), 0o700);
    const packs = await readdir(join(h.data, "repos/models/admin/m.git/objects/pack"));
    for (const p of packs) assert.equal(await mode(`repos/models/admin/m.git/objects/pack/${p}`) & 0o077, 0, p);
    const body = Buffer.from("private bytes");
    const oid = createHash("sha256").update(body).digest("hex");
    const put = await lfsHref(h.hub, h.auth);
    assert.equal(put.status, 200);
    const batch = await h.hub.app.inject({ method: "POST", url: "/admin/m.git/info/lfs/objects/batch", headers: { ...h.auth, "content-type": "application/vnd.git-lfs+json" }, payload: { operation: "upload", objects: [{ oid, size: body.length }] } });
    const href = new URL(batch.json().objects[0].actions.upload.href);
    assert.equal((await h.hub.app.inject({ method: "PUT", url: href.pathname + href.search, payload: body, headers: { "content-type": "application/octet-stream" } })).statusCode, 200);
    assert.equal(await mode(`lfs/${oid.slice(0, 2)}/${oid.slice(2, 4)}/${oid}`), 0o600);
    const reg = await h.hub.app.inject({ method: "POST", url: "/api/register", payload: { username: "eve", email: "e@example.com", password: "long enough pw" } });
    assert.equal(reg.statusCode, 403);
  } finally {
    await h.close();
  }
});

test("repo _ids are opaque 24-hex ids, distinct and stable", async () => {
  const h = await hubWith({});
  try {
    const a = (await h.hub.app.inject({ method: "GET", url: "/api/models/admin/m", headers: h.auth })).json()._id;
    await h.hub.app.inject({ method: "POST", url: "/api/repos/create", headers: h.auth, payload: { name: "k" } });
    const b = (await h.hub.app.inject({ method: "GET", url: "/api/models/admin/k", headers: h.auth })).json()._id;
    assert.match(a, /^[0-9a-f]{24}$/);
    assert.match(b, /^[0-9a-f]{24}$/);
    assert.notEqual(a, b);
    assert.equal((await h.hub.app.inject({ method: "GET", url: "/api/models/admin/m", headers: h.auth })).json()._id, a);
    const listed = (await h.hub.app.inject({ method: "GET", url: "/api/models?author=admin", headers: h.auth })).json();
    assert.ok(listed.some((r: { _id: string }) => r._id === a));
  } finally {
    await h.close();
  }
});

test("partial uploads in data/tmp are swept at start; abandoned multipart parts after a day", async () => {
  const h = await hubWith({});
  try {
    await mkdir(join(h.data, "tmp"), { recursive: true });
    await writeFile(join(h.data, "tmp", "half-written"), "partial");
    await h.hub.startHousekeeping();
    assert.deepEqual(await readdir(join(h.data, "tmp")), []);
  } finally {
    await h.close();
  }
});

test("an NDJSON line longer than the largest inline file is refused as soon as that much arrived", async () => {
  const h = await hubWith({});
  try {
    // The repo's threshold is 10 MiB: a line may hold a base64 file just under it.
    let sent = 0;
    const line = async function* () {
      yield Buffer.from(JSON.stringify(header()) + "\n" + '{"key":"file","value":{"path":"big.txt","encoding":"base64","content":"');
      for (let i = 0; i < 300; i++) {
        sent += 1 << 20;
        yield Buffer.alloc(1 << 20, 65); // 300 MiB of base64 'A' if nobody stops us
      }
    };
    const r = await h.hub.app.inject({ method: "POST", url: "/api/models/admin/m/commit/main", headers: { ...h.auth, "content-type": "application/x-ndjson" }, payload: Readable.from(line()) });
    assert.equal(r.statusCode, 413);
    assert.match(String(r.headers["x-error-message"]), /go through LFS/);
    assert.ok(sent <= 16 << 20, `refused after ${sent} bytes, not after the whole line`);
    // An inline file at or over the threshold is refused with the same advice.
    const big = await h.hub.app.inject({ method: "POST", url: "/api/models/admin/m/commit/main", headers: { ...h.auth, "content-type": "application/x-ndjson" }, payload: ndjson(header(), file("ten.txt", Buffer.alloc(10 * 1024 * 1024, 97))) });
    assert.equal(big.statusCode, 413);
    assert.match(String(big.headers["x-error-message"]), /uploaded through LFS/);
  } finally {
    await h.close();
  }
});

test("cookie-authenticated state changes must come from this site (CSRF); bearer tokens are exempt", async () => {
  const h = await hubWith({}, { publicUrl: "https://hub.example.org" });
  try {
    await h.hub.services.accounts.createUser("vic", { password: "victim's long password" });
    const login = await h.hub.app.inject({ method: "POST", url: "/api/login", headers: { "sec-fetch-site": "same-origin" }, payload: { username: "vic", password: "victim's long password" } });
    assert.equal(login.statusCode, 200, login.body);
    const cookie = String(login.headers["set-cookie"]).split(";")[0]!;
    const mint = (headers: Record<string, string>) => h.hub.app.inject({ method: "POST", url: "/api/settings/tokens", headers: { cookie, ...headers }, payload: { role: "write", name: "x" } });
    const attempts: Record<string, string>[] = [{ origin: "https://evil.example", "sec-fetch-site": "cross-site" }, { origin: "https://evil.example" }, { "sec-fetch-site": "same-site" }, { origin: "null", "sec-fetch-site": "cross-site" }];
    for (const headers of attempts) {
      const r = await mint(headers);
      assert.equal(r.statusCode, 403, JSON.stringify(headers));
      assert.match(String(r.headers["x-error-message"]), /Cross-site request refused/);
    }
    const before = (await h.hub.app.inject({ method: "GET", url: "/api/settings/tokens", headers: { cookie, origin: "https://evil.example", "sec-fetch-site": "cross-site" } })).json().length;
    assert.equal((await mint({ origin: "https://hub.example.org" })).statusCode, 200);
    assert.equal((await mint({ "sec-fetch-site": "same-origin" })).statusCode, 200);
    assert.equal((await h.hub.app.inject({ method: "GET", url: "/api/settings/tokens", headers: { cookie } })).json().length, before + 2, "reads are not state changes; only the two same-site mints happened");
    // Login CSRF and a cross-site logout are refused too.
    assert.equal((await h.hub.app.inject({ method: "POST", url: "/api/login", headers: { origin: "https://evil.example" }, payload: { username: "vic", password: "victim's long password" } })).statusCode, 403);
    assert.equal((await h.hub.app.inject({ method: "POST", url: "/api/logout", headers: { cookie, origin: "https://evil.example" } })).statusCode, 403);
    assert.equal((await h.hub.app.inject({ method: "GET", url: "/api/whoami-v2", headers: { cookie } })).statusCode, 200, "still logged in");
    // A bearer token needs no such proof (scripts, CLIs).
    const r = await h.hub.app.inject({ method: "POST", url: "/api/repos/create", headers: { ...h.auth, origin: "https://evil.example", "sec-fetch-site": "cross-site" }, payload: { name: "viaToken" } });
    assert.equal(r.statusCode, 200);
  } finally {
    await h.close();
  }
});

test("downloads never render in Hubble's origin: nosniff, a sandboxing CSP, octet-stream", async () => {
  const h = await hubWith({});
  try {
    const html = "<html><script>alert(document.cookie)</script></html>";
    const c = await h.hub.app.inject({ method: "POST", url: "/api/models/admin/m/commit/main", headers: { ...h.auth, "content-type": "application/x-ndjson" }, payload: ndjson(header(), file("page.html", html), file("x.svg", "<svg onload=alert(1)>")) });
    assert.equal(c.statusCode, 200, c.body);
    for (const kind of ["resolve", "raw"]) {
      for (const f of ["page.html", "x.svg"]) {
        const r = await h.hub.app.inject({ method: "GET", url: `/admin/m/${kind}/main/${f}`, headers: h.auth });
        assert.equal(r.statusCode, 200);
        assert.equal(r.headers["content-type"], "application/octet-stream");
        assert.equal(r.headers["x-content-type-options"], "nosniff");
        assert.match(String(r.headers["content-security-policy"]), /sandbox/);
        assert.match(String(r.headers["content-security-policy"]), /default-src 'none'/);
      }
    }
  } finally {
    await h.close();
  }
});
