/**
 * Xet over HTTP, in process: token routes, CAS uploads and their refusals (nothing stored or
 * indexed after a refusal), dedupe answers, reconstructions with ranges, signed xorb URLs, the
 * repo glue (commit, resolve, tree, LFS batch) and the CAS access guards.
 */
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { hashToHex } from "../../src/core/xet/hashing.js";
import { parseShard } from "../../src/core/xet/shard.js";
import { header, harness, ndjson, type Harness } from "./helpers.js";
import { xetUpload } from "../xet-builders.js";

let h: Harness;
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

before(async () => {
  h = await harness();
  for (const [name, priv] of [["xa", false], ["xb", true]] as const) {
    assert.equal((await h.hub.app.inject({ method: "POST", url: "/api/repos/create", headers: h.auth, payload: { name, type: "model", private: priv } })).statusCode, 200);
  }
});
after(async () => {
  await h?.close();
});

async function casToken(repo: string, op: "read" | "write", auth = h.auth, rev = "main"): Promise<string> {
  const r = await h.hub.app.inject({ method: "GET", url: `/api/models/${repo}/xet-${op}-token/${rev}`, headers: auth });
  assert.equal(r.statusCode, 200, r.body);
  return r.json().accessToken;
}

const postXorb = (token: string, hash: string, payload: Buffer) => h.hub.app.inject({ method: "POST", url: `/xet/v1/xorbs/default/${hash}`, headers: bearer(token), payload });
const postShard = (token: string, payload: Buffer) => h.hub.app.inject({ method: "POST", url: "/xet/v1/shards", headers: bearer(token), payload });
const xorbExists = async (token: string, hash: string) => (await h.hub.app.inject({ method: "HEAD", url: `/xet/v1/xorbs/default/${hash}`, headers: bearer(token) })).statusCode === 200;

/** Uploads a whole file to a repo through the CAS and commits it; returns the upload. */
async function uploadAndCommit(repo: string, path: string, chunks: Buffer[]) {
  const u = await xetUpload(chunks);
  const token = await casToken(repo, "write");
  assert.equal((await postXorb(token, u.xorbHex, u.xorb)).statusCode, 200);
  assert.deepEqual((await postShard(token, u.shard)).json(), { result: 1 });
  const c = await h.hub.app.inject({
    method: "POST",
    url: `/api/models/${repo}/commit/main`,
    headers: { ...h.auth, "content-type": "application/x-ndjson" },
    payload: ndjson(header("xet file"), { key: "lfsFile", value: { path, algo: "sha256", oid: u.sha256, size: u.content.length } }),
  });
  assert.equal(c.statusCode, 200, c.body);
  return u;
}

test("token routes answer JSON and the X-Xet-* headers, for every revision form the clients send", async () => {
  const r = await h.hub.app.inject({ method: "GET", url: "/api/models/admin/xa/xet-write-token/main", headers: h.auth });
  assert.equal(r.statusCode, 200);
  const body = r.json();
  assert.equal(body.casUrl, "http://hub.test/xet");
  assert.equal(r.headers["x-xet-cas-url"], body.casUrl);
  assert.equal(r.headers["x-xet-access-token"], body.accessToken);
  assert.equal(r.headers["x-xet-token-expiration"], String(body.exp));
  assert.ok(body.exp > Date.now() / 1000 + 60 && body.exp < Date.now() / 1000 + 3600);
  assert.equal((await h.hub.app.inject({ method: "GET", url: "/api/models/admin/xa/xet-write-token/None?create_pr=1", headers: h.auth })).statusCode, 200);
  assert.equal((await h.hub.app.inject({ method: "GET", url: "/api/models/admin/xa/xet-read-token/main", headers: h.auth })).statusCode, 200);
  const missing = await h.hub.app.inject({ method: "GET", url: "/api/models/admin/xa/xet-read-token/no-such-branch", headers: h.auth });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.headers["x-error-code"], "RevisionNotFound");
  const anon = await h.hub.app.inject({ method: "GET", url: "/api/models/admin/xb/xet-read-token/main" });
  assert.equal(anon.statusCode, 401, "a private repo does not exist for anonymous callers (HF answers 401 + RepoNotFound)");
  assert.equal(anon.headers["x-error-code"], "RepoNotFound");
  assert.equal((await h.hub.app.inject({ method: "GET", url: "/api/models/admin/xa/xet-write-token/main" })).statusCode, 401);
});

test("a Xet upload is verified, stored once, indexed, committed and served (resolve, tree, ranges)", async () => {
  const chunks = [randomBytes(70_000), randomBytes(65_000), randomBytes(90_000)];
  const u = await xetUpload(chunks);
  const token = await casToken("admin/xa", "write");
  const first = await postXorb(token, u.xorbHex, u.xorb);
  assert.equal(first.statusCode, 200, first.body);
  assert.deepEqual(first.json(), { was_inserted: true });
  assert.deepEqual((await postXorb(token, u.xorbHex, u.xorb)).json(), { was_inserted: false });
  assert.equal((await h.hub.app.inject({ method: "POST", url: "/xet/v2/not-a-route", headers: bearer(token), payload: u.shard })).statusCode, 404, "unknown v2 routes are a plain 404 → clients fall back to v1");
  assert.deepEqual((await postShard(token, u.shard)).json(), { result: 1 });
  assert.deepEqual((await postShard(token, u.shard)).json(), { result: 0 });
  const c = await h.hub.app.inject({
    method: "POST",
    url: "/api/models/admin/xa/commit/main",
    headers: { ...h.auth, "content-type": "application/x-ndjson" },
    payload: ndjson(header("xet"), { key: "lfsFile", value: { path: "w.bin", algo: "sha256", oid: u.sha256, size: u.content.length } }),
  });
  assert.equal(c.statusCode, 200, c.body);

  const head = await h.hub.app.inject({ method: "HEAD", url: "/admin/xa/resolve/main/w.bin", headers: h.auth });
  assert.equal(head.headers["x-xet-hash"], u.fileHex);
  assert.match(String(head.headers.link), /^<http:\/\/hub\.test\/api\/models\/admin\/xa\/xet-read-token\/[0-9a-f]{40}>; rel="xet-auth"$/);
  assert.equal(head.headers["x-linked-size"], String(u.content.length));
  const get = await h.hub.app.inject({ method: "GET", url: "/admin/xa/resolve/main/w.bin", headers: h.auth });
  assert.ok(get.rawPayload.equals(u.content), "plain GET reconstructs the bytes server-side");
  const ranged = await h.hub.app.inject({ method: "GET", url: "/admin/xa/resolve/main/w.bin", headers: { ...h.auth, range: "bytes=69990-135010" } });
  assert.equal(ranged.statusCode, 206);
  assert.ok(ranged.rawPayload.equals(u.content.subarray(69_990, 135_011)));
  const info = await h.hub.app.inject({ method: "GET", url: "/admin/xa/resolve/main/w.bin", headers: { ...h.auth, accept: "application/vnd.xet-fileinfo+json, */*", range: "bytes=0-0" } });
  assert.match(String(info.headers["content-type"]), /application\/vnd\.xet-fileinfo\+json/);
  assert.match(String(info.headers.link), /rel="xet-auth".*<http:\/\/hub\.test\/xet\/v1\/reconstructions\/[0-9a-f]{64}>; rel="xet-reconstruction-info"/);

  const tree = (await h.hub.app.inject({ method: "GET", url: "/api/models/admin/xa/tree/main", headers: h.auth })).json() as { path: string; xetHash?: string }[];
  assert.equal(tree.find((e) => e.path === "w.bin")?.xetHash, u.fileHex);
  assert.equal(tree.find((e) => e.path === ".gitattributes")?.xetHash, undefined);
  const paths = (await h.hub.app.inject({ method: "POST", url: "/api/models/admin/xa/paths-info/main", headers: h.auth, payload: { paths: ["w.bin"] } })).json();
  assert.equal(paths[0].xetHash, u.fileHex);
  assert.equal((await h.hub.app.inject({ method: "GET", url: "/api/models/admin/xa", headers: h.auth })).json().xetEnabled, true);

  // LFS download of the same oid (git-lfs): a basic URL serving reconstructed bytes.
  const batch = await h.hub.app.inject({ method: "POST", url: "/admin/xa.git/info/lfs/objects/batch", headers: { ...h.auth, "content-type": "application/vnd.git-lfs+json" }, payload: { operation: "download", transfers: ["basic", "xet"], objects: [{ oid: u.sha256, size: u.content.length }] } });
  assert.equal(batch.json().transfer, "basic", "never xet for downloads");
  const href = batch.json().objects[0].actions.download.href.replace("http://hub.test", "");
  assert.ok((await h.hub.app.inject({ method: "GET", url: href })).rawPayload.equals(u.content));
});

test("reconstructions: v1 and v2 shapes, ranges parsed as BigInt, 416 past the end, signed fetch URLs", async () => {
  const chunks = [randomBytes(40_000), randomBytes(50_000), randomBytes(30_000)];
  const u = await uploadAndCommit("admin/xa", "r.bin", chunks);
  const token = await casToken("admin/xa", "read");
  const rec = (v: 1 | 2, range?: string) => h.hub.app.inject({ method: "GET", url: `/xet/v${v}/reconstructions/${u.fileHex}`, headers: { ...bearer(token), ...(range ? { range } : {}) } });

  const full = (await rec(2, "bytes=0-18446744073709551614")).json();
  assert.equal(full.offset_into_first_range, 0);
  assert.deepEqual(full.terms, [{ hash: u.xorbHex, unpacked_length: 120_000, range: { start: 0, end: 3 } }]);
  const [fetch] = full.xorbs[u.xorbHex];
  assert.deepEqual(fetch.ranges[0].chunks, { start: 0, end: 3 });
  assert.deepEqual(fetch.ranges[0].bytes, { start: 0, end: u.xorb.length - 1 });
  const path = fetch.url.replace("http://hub.test", "");
  const got = await h.hub.app.inject({ method: "GET", url: path, headers: { range: `bytes=0-${u.xorb.length - 1}` } });
  assert.equal(got.statusCode, 206);
  assert.ok(got.rawPayload.equals(u.xorb), "the URL serves exactly the serialized chunks");
  assert.equal((await h.hub.app.inject({ method: "GET", url: path.replace(/sig=[^&]+/, "sig=AAAA") })).statusCode, 403);
  assert.equal((await h.hub.app.inject({ method: "GET", url: path, headers: { range: `bytes=0-${u.xorb.length}` } })).statusCode, 416);

  // A range in the middle: whole chunks before it are skipped, the offset says where to start.
  const mid = (await rec(1, "bytes=45000-95000")).json();
  assert.equal(mid.offset_into_first_range, 5_000);
  assert.deepEqual(mid.terms, [{ hash: u.xorbHex, unpacked_length: 80_000, range: { start: 1, end: 3 } }]);
  assert.deepEqual(mid.fetch_info[u.xorbHex][0].range, { start: 1, end: 3 });
  assert.equal(mid.fetch_info[u.xorbHex][0].url_range.end, u.xorb.length - 1);

  assert.equal((await rec(2, "bytes=120000-18446744073709551614")).statusCode, 416);
  assert.equal((await rec(1, "bytes=-10")).json().offset_into_first_range, 29_990, "suffix range: last 10 bytes of the 30,000-byte last chunk");
  assert.equal((await rec(1, "bytes=abc")).statusCode, 400);
  assert.equal((await h.hub.app.inject({ method: "HEAD", url: `/xet/v1/files/${u.fileHex}`, headers: bearer(token) })).headers["content-length"], "120000");
});

test("global dedupe answers a shard with a footer for a file's first chunk, 404 otherwise", async () => {
  const u = await uploadAndCommit("admin/xa", "d.bin", [randomBytes(30_000), randomBytes(30_000)]);
  const token = await casToken("admin/xa", "write");
  const r = await h.hub.app.inject({ method: "GET", url: `/xet/v1/chunks/default-merkledb/${hashToHex(u.parsed.chunks[0]!.hash)}`, headers: bearer(token) });
  assert.equal(r.statusCode, 200);
  const shard = parseShard(r.rawPayload);
  assert.deepEqual(shard.files, []);
  assert.equal(hashToHex(shard.xorbs[0]!.xorbHash), u.xorbHex);
  assert.deepEqual(shard.xorbs[0]!.chunks.map((c) => c.size), [30_000, 30_000]);
  const footer = r.rawPayload.subarray(r.rawPayload.length - 200);
  assert.equal(footer.readBigUInt64LE(0), 1n);
  assert.equal(footer.readBigUInt64LE(192), BigInt(r.rawPayload.length - 200), "footer_offset");
  assert.ok(footer.readBigUInt64LE(112) > BigInt(Math.floor(Date.now() / 1000)), "key expiry in the future");
  assert.equal((await h.hub.app.inject({ method: "GET", url: `/xet/v1/chunks/default/${"ab".repeat(32)}`, headers: bearer(token) })).statusCode, 404);
});

test("bad uploads are refused with a clear error; nothing is stored or indexed", async () => {
  const token = await casToken("admin/xa", "write");
  const u = await xetUpload([randomBytes(50_000), randomBytes(50_000)], 0);
  const refused = async (r: { statusCode: number; headers: Record<string, unknown>; body: string }, status: number, msg: RegExp) => {
    assert.equal(r.statusCode, status, r.body);
    assert.match(String(r.headers["x-error-message"]), msg);
    assert.doesNotMatch(r.body, /at .*\.js:\d+/, "no stack trace");
  };
  // Corrupted content: one flipped byte inside a chunk → its hash (so the xorb hash) changes.
  const corrupt = Buffer.from(u.xorb);
  corrupt[100] = corrupt[100]! ^ 0xff;
  await refused(await postXorb(token, u.xorbHex, corrupt), 400, /hashes to/);
  await refused(await postXorb(token, u.xorbHex, u.xorb.subarray(0, u.xorb.length - 10)), 400, /truncated/);
  await refused(await postXorb(token, "not-a-hash", u.xorb), 400, /hash/);
  await refused(await postXorb(token, u.xorbHex, Buffer.alloc(66 * 1024 * 1024)), 413, /larger/);
  assert.equal(await xorbExists(token, u.xorbHex), false, "no refused xorb was stored");

  // Shards: the xorb is missing; then out-of-range terms; then a file hash that does not match.
  await refused(await postShard(token, u.shard), 400, /not uploaded/);
  assert.equal((await postXorb(token, u.xorbHex, u.xorb)).statusCode, 200);
  const bad = (mutate: (f: typeof u.file) => void) => {
    const f = structuredClone(u.file);
    mutate(f);
    return f;
  };
  const { shardBytes } = await import("../xet-builders.js");
  await refused(await postShard(token, shardBytes([bad((f) => (f.terms[0]!.end = 3))], [u.parsed])), 400, /does not match the content/);
  await refused(await postShard(token, shardBytes([bad((f) => (f.fileHash = new Uint8Array(32).fill(9)))], [u.parsed])), 400, /does not reconstruct/);
  await refused(await postShard(token, Buffer.from("not a shard at all")), 400, /header/);
  // Nothing was indexed: the oid cannot be committed and the file cannot be reconstructed.
  const c = await h.hub.app.inject({
    method: "POST",
    url: "/api/models/admin/xa/commit/main",
    headers: { ...h.auth, "content-type": "application/x-ndjson" },
    payload: ndjson(header("x"), { key: "lfsFile", value: { path: "bad.bin", algo: "sha256", oid: u.sha256, size: u.content.length } }),
  });
  assert.equal(c.statusCode, 400);
  const read = await casToken("admin/xa", "read");
  assert.equal((await h.hub.app.inject({ method: "GET", url: `/xet/v1/reconstructions/${u.fileHex}`, headers: bearer(read) })).statusCode, 404);
});

test("/v2/shards answers an NDJSON progress stream ending in result, or in an error frame with nothing indexed", async () => {
  const token = await casToken("admin/xa", "write");
  const u = await xetUpload([randomBytes(40_000), randomBytes(40_000)]);
  assert.equal((await postXorb(token, u.xorbHex, u.xorb)).statusCode, 200);
  const frames = (r: { body: string }) => r.body.trim().split("\n").map((l) => JSON.parse(l));
  const bad = await h.hub.app.inject({ method: "POST", url: "/xet/v2/shards", headers: bearer(token), payload: Buffer.concat([u.shard.subarray(0, 48), Buffer.alloc(48, 1)]) });
  assert.equal(bad.statusCode, 200);
  assert.equal(bad.headers["content-type"], "application/x-ndjson");
  const last = frames(bad).at(-1);
  assert.equal(last.type, "error");
  assert.equal(last.retryable, false);
  assert.match(last.message, /Invalid shard/);
  const read = await casToken("admin/xa", "read");
  assert.equal((await h.hub.app.inject({ method: "GET", url: `/xet/v1/reconstructions/${u.fileHex}`, headers: bearer(read) })).statusCode, 404, "nothing indexed");
  const ok = await h.hub.app.inject({ method: "POST", url: "/xet/v2/shards", headers: bearer(token), payload: u.shard });
  assert.deepEqual(frames(ok).map((f) => f.type), ["validating", "validating", "committing", "committing", "result"]);
  assert.deepEqual(frames(ok)[2], { type: "committing", stage: "uploading" });
  assert.equal((await h.hub.app.inject({ method: "GET", url: `/xet/v1/reconstructions/${u.fileHex}`, headers: bearer(read) })).statusCode, 200);
  assert.equal((await h.hub.app.inject({ method: "POST", url: "/xet/v2/shards", headers: bearer(read), payload: u.shard })).statusCode, 403, "a read token is refused before any stream");
});

test("CAS guards: forged, expired and read-only tokens; a token of repo A cannot read private repo B", async () => {
  const u = await uploadAndCommit("admin/xb", "secret.bin", [randomBytes(20_000)]);
  const { xorb, xorbHex } = await xetUpload([randomBytes(10_000)]);
  const read = await casToken("admin/xb", "read");
  assert.equal((await postXorb(read, xorbHex, xorb)).statusCode, 403, "a read CAS token cannot upload");
  assert.equal((await postShard(read, u.shard)).statusCode, 403);
  assert.equal((await postXorb("xet_garbage.garbage", xorbHex, xorb)).statusCode, 401);
  assert.equal((await h.hub.app.inject({ method: "POST", url: `/xet/v1/xorbs/default/${xorbHex}`, payload: xorb })).statusCode, 401);
  const admin = await h.hub.services.accounts.authenticate(h.token);
  const { repo: repoB } = await h.hub.services.repos.get(admin, "model", "admin/xb");
  const expired = h.hub.services.xet.issueToken(repoB, "write", Date.now() - 3600_000).accessToken;
  const r = await postXorb(expired, xorbHex, xorb);
  assert.equal(r.statusCode, 401);
  assert.match(String(r.headers["x-error-message"]), /expired/);

  // carol can read public repo A, so she gets a read token for A — it does not open B's file.
  await h.hub.services.accounts.createUser("carol", {});
  const { token: carol } = await h.hub.services.accounts.createToken("carol", { name: "c", role: "write" });
  const tokenA = await casToken("admin/xa", "read", bearer(carol));
  const ofB = await h.hub.app.inject({ method: "GET", url: `/xet/v2/reconstructions/${u.fileHex}`, headers: { ...bearer(tokenA), range: "bytes=0-100" } });
  assert.equal(ofB.statusCode, 404);
  assert.equal((await h.hub.app.inject({ method: "GET", url: `/api/models/admin/xb/xet-read-token/main`, headers: bearer(carol) })).statusCode, 404);
  assert.equal((await h.hub.app.inject({ method: "GET", url: `/api/models/admin/xa/xet-write-token/main`, headers: bearer(carol) })).statusCode, 403, "no write token without write access");
  // The owner's token for B does read it.
  const tokenB = await casToken("admin/xb", "read");
  assert.equal((await h.hub.app.inject({ method: "GET", url: `/xet/v2/reconstructions/${u.fileHex}`, headers: bearer(tokenB) })).statusCode, 200);
});

test("LFS batch offers transfer xet for uploads when the client asks (huggingface.js, git-xet)", async () => {
  const oid = "a".repeat(64);
  const r = await h.hub.app.inject({ method: "POST", url: "/admin/xa.git/info/lfs/objects/batch", headers: { ...h.auth, "content-type": "application/vnd.git-lfs+json" }, payload: { operation: "upload", transfers: ["basic", "multipart", "xet"], objects: [{ oid, size: 123 }], ref: { name: "refs/heads/main" } } });
  const b = r.json();
  assert.equal(b.transfer, "xet");
  const up = b.objects[0].actions.upload;
  assert.equal(up.href, "http://hub.test/api/models/admin/xa/xet-write-token/main");
  assert.equal(up.header["X-Xet-Cas-Url"], "http://hub.test/xet");
  assert.match(up.header["X-Xet-Access-Token"], /^xet_/);
  assert.match(up.header["X-Xet-Token-Expiration"], /^\d+$/);
  const basic = await h.hub.app.inject({ method: "POST", url: "/admin/xa.git/info/lfs/objects/batch", headers: { ...h.auth, "content-type": "application/vnd.git-lfs+json" }, payload: { operation: "upload", transfers: ["basic"], objects: [{ oid, size: 123 }] } });
  assert.equal(basic.json().transfer, "basic");
});
