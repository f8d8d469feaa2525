/** resolve/raw headers, ranges, and revision parsing as the clients rely on them. */
import { createHash, randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { file, harness, header, ndjson, type Harness } from "./helpers.js";

let h: Harness;
let commit: string;
const big = randomBytes(300_000);
const bigOid = createHash("sha256").update(big).digest("hex");

async function lfsUpload(repo: string, data: Buffer) {
  const oid = createHash("sha256").update(data).digest("hex");
  const b = await h.hub.app.inject({ method: "POST", url: `/${repo}.git/info/lfs/objects/batch`, headers: { ...h.auth, "content-type": "application/vnd.git-lfs+json" }, payload: { operation: "upload", transfers: ["basic"], objects: [{ oid, size: data.length }] } });
  const action = b.json().objects[0].actions?.upload;
  if (action) assert.equal((await h.hub.app.inject({ method: "PUT", url: action.href.replace("http://hub.test", ""), payload: data })).statusCode, 200);
  return oid;
}

before(async () => {
  h = await harness();
  await h.hub.app.inject({ method: "POST", url: "/api/repos/create", headers: h.auth, payload: { name: "dl", type: "model" } });
  await lfsUpload("admin/dl", big);
  const r = await h.hub.app.inject({
    method: "POST",
    url: "/api/models/admin/dl/commit/main",
    headers: { ...h.auth, "content-type": "application/x-ndjson" },
    payload: ndjson(header("files"), file("dir/small.txt", "0123456789"), { key: "lfsFile", value: { path: "dir/big.bin", algo: "sha256", oid: bigOid, size: big.length } }),
  });
  assert.equal(r.statusCode, 200, r.body);
  commit = r.json().commitOid;
  await h.hub.app.inject({ method: "POST", url: "/api/models/admin/dl/branch/feat%2Fx", headers: h.auth, payload: {} });
});
after(async () => h.close());

test("HEAD and GET agree; ETag is sha256 for LFS and blob sha1 for regular files", async () => {
  const headR = await h.hub.app.inject({ method: "HEAD", url: "/admin/dl/resolve/main/dir/big.bin" });
  assert.equal(headR.statusCode, 200);
  assert.equal(headR.headers.etag, `"${bigOid}"`);
  assert.equal(headR.headers["x-linked-etag"], `"${bigOid}"`);
  assert.equal(headR.headers["x-linked-size"], String(big.length));
  assert.equal(headR.headers["content-length"], String(big.length));
  assert.equal(headR.headers["x-repo-commit"], commit);
  assert.equal(headR.headers["accept-ranges"], "bytes");
  assert.equal(headR.headers["content-encoding"], undefined);
  assert.equal(headR.body, "");
  const get = await h.hub.app.inject({ method: "GET", url: "/admin/dl/resolve/main/dir/big.bin", headers: { "accept-encoding": "gzip" } });
  assert.ok(get.rawPayload.equals(big));
  assert.equal(get.headers["content-encoding"], undefined);
  const small = await h.hub.app.inject({ method: "GET", url: "/admin/dl/resolve/main/dir/small.txt" });
  const sha1 = createHash("sha1").update("blob 10\0").update("0123456789").digest("hex");
  assert.equal(small.headers.etag, `"${sha1}"`);
  assert.equal(small.body, "0123456789");
});

test("ranges: exact bytes with 206, suffix ranges, 416 past the end", async () => {
  const r = await h.hub.app.inject({ method: "GET", url: "/admin/dl/resolve/main/dir/big.bin", headers: { range: "bytes=1000-1999" } });
  assert.equal(r.statusCode, 206);
  assert.equal(r.headers["content-range"], `bytes 1000-1999/${big.length}`);
  assert.ok(r.rawPayload.equals(big.subarray(1000, 2000)));
  const open = await h.hub.app.inject({ method: "GET", url: "/admin/dl/resolve/main/dir/big.bin", headers: { range: `bytes=${big.length - 5}-` } });
  assert.ok(open.rawPayload.equals(big.subarray(-5)));
  const suffix = await h.hub.app.inject({ method: "GET", url: "/admin/dl/resolve/main/dir/small.txt", headers: { range: "bytes=-3" } });
  assert.equal(suffix.statusCode, 206);
  assert.equal(suffix.body, "789");
  const mid = await h.hub.app.inject({ method: "GET", url: "/admin/dl/resolve/main/dir/small.txt", headers: { range: "bytes=2-4" } });
  assert.equal(mid.body, "234");
  const first = await h.hub.app.inject({ method: "GET", url: "/admin/dl/resolve/main/dir/big.bin", headers: { range: "bytes=0-0" } });
  assert.equal(first.headers["content-range"], `bytes 0-0/${big.length}`);
  const past = await h.hub.app.inject({ method: "GET", url: "/admin/dl/resolve/main/dir/big.bin", headers: { range: `bytes=${big.length}-` } });
  assert.equal(past.statusCode, 416);
});

test("raw serves the pointer of an LFS file", async () => {
  const r = await h.hub.app.inject({ method: "GET", url: "/admin/dl/raw/main/dir/big.bin" });
  assert.equal(r.body, `version https://git-lfs.github.com/spec/v1\noid sha256:${bigOid}\nsize ${big.length}\n`);
});

test("EntryNotFound still carries X-Repo-Commit", async () => {
  const r = await h.hub.app.inject({ method: "HEAD", url: "/admin/dl/resolve/main/nope.txt" });
  assert.equal(r.statusCode, 404);
  assert.equal(r.headers["x-error-code"], "EntryNotFound");
  assert.equal(r.headers["x-repo-commit"], commit);
  const dir = await h.hub.app.inject({ method: "GET", url: "/admin/dl/resolve/main/dir" });
  assert.equal(dir.headers["x-error-code"], "EntryNotFound");
});

test("revisions: HEAD, commit id, %2F-encoded and raw branch names, case-insensitive repo ids", async () => {
  for (const rev of ["HEAD", commit, "feat%2Fx"]) {
    const r = await h.hub.app.inject({ method: "GET", url: `/api/models/admin/dl/revision/${rev}` });
    assert.equal(r.statusCode, 200, rev);
    assert.equal(r.json().sha, commit);
  }
  const tree = await h.hub.app.inject({ method: "GET", url: "/api/models/admin/dl/tree/main/dir%2Fbig.bin".replace("dir%2Fbig.bin", "dir") });
  assert.deepEqual(tree.json().map((e: { path: string }) => e.path), ["dir/big.bin", "dir/small.txt"]);
  const encoded = await h.hub.app.inject({ method: "GET", url: "/api/models/admin/dl/tree/feat%2Fx/dir" });
  assert.equal(encoded.statusCode, 200);
  const upper = await h.hub.app.inject({ method: "GET", url: "/ADMIN/DL/resolve/main/dir/small.txt" });
  assert.equal(upper.body, "0123456789");
});

test("every response carries X-Request-Id, a client-provided one is echoed", async () => {
  const r = await h.hub.app.inject({ method: "GET", url: "/api/models/admin/nope", headers: { "x-request-id": "abc-123" } });
  assert.equal(r.headers["x-request-id"], "abc-123");
  assert.equal(r.headers["x-error-code"], "RepoNotFound");
  assert.equal(r.statusCode, 401, "anonymous RepoNotFound is 401 like the Hub");
  const missing = await h.hub.app.inject({ method: "GET", url: "/definitely/not/a/route/at/all/x" });
  assert.ok(missing.headers["x-request-id"]);
});

test("commits listing: X-Total-Count and absolute Link pagination", async () => {
  const r = await h.hub.app.inject({ method: "GET", url: "/api/models/admin/dl/commits/main?limit=1" });
  assert.equal(r.headers["x-total-count"], "2");
  assert.match(String(r.headers.link), /^<http:\/\/hub\.test\/api\/models\/admin\/dl\/commits\/main\?limit=1&p=1>; rel="next"$/);
});
