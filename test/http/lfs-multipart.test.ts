/** HF's multipart LFS shape: chunk_size + numbered part URLs, ETags, completion, verify. */
import { createHash, randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { harness, header, ndjson, type Harness } from "./helpers.js";

let h: Harness;
before(async () => {
  h = await harness({ HUBBLE_LFS_MULTIPART_THRESHOLD: "4096", HUBBLE_LFS_CHUNK_SIZE: "4096" });
  await h.hub.app.inject({ method: "POST", url: "/api/repos/create", headers: h.auth, payload: { name: "mp", type: "dataset" } });
});
after(async () => h.close());

test("multipart upload, completion and verify, then commit and download", async () => {
  const data = randomBytes(10_000);
  const oid = createHash("sha256").update(data).digest("hex");
  const b = await h.hub.app.inject({ method: "POST", url: "/datasets/admin/mp.git/info/lfs/objects/batch", headers: { ...h.auth, "content-type": "application/vnd.git-lfs+json" }, payload: { operation: "upload", transfers: ["basic", "multipart"], objects: [{ oid, size: data.length }], hash_algo: "sha256" } });
  const body = b.json();
  assert.equal(body.transfer, "multipart");
  const { upload, verify } = body.objects[0].actions;
  assert.equal(upload.header.chunk_size, "4096");
  const partKeys = Object.keys(upload.header).filter((k) => /^\d+$/.test(k));
  assert.deepEqual(partKeys, ["1", "2", "3"]);
  const strip = (u: string) => u.replace("http://hub.test", "");
  // completing before all parts exist is refused
  const early = await h.hub.app.inject({ method: "POST", url: strip(upload.href), headers: { "content-type": "application/vnd.git-lfs+json" }, payload: { oid, parts: [] } });
  assert.equal(early.statusCode, 400);
  const parts = [];
  for (const k of partKeys) {
    const i = Number(k);
    const r = await h.hub.app.inject({ method: "PUT", url: strip(upload.header[k]), payload: data.subarray((i - 1) * 4096, i * 4096) });
    assert.equal(r.statusCode, 200);
    assert.ok(r.headers.etag);
    parts.push({ partNumber: i, etag: r.headers.etag });
  }
  const wrongSize = await h.hub.app.inject({ method: "PUT", url: strip(upload.header["1"]), payload: data.subarray(0, 10) });
  assert.equal(wrongSize.statusCode, 400);
  const done = await h.hub.app.inject({ method: "POST", url: strip(upload.href), headers: { "content-type": "application/vnd.git-lfs+json" }, payload: { oid, parts } });
  assert.equal(done.statusCode, 200, done.body);
  const v = await h.hub.app.inject({ method: "POST", url: strip(verify.href), headers: { ...h.auth, "content-type": "application/vnd.git-lfs+json" }, payload: { oid, size: data.length } });
  assert.equal(v.statusCode, 200);
  const c = await h.hub.app.inject({ method: "POST", url: "/api/datasets/admin/mp/commit/main", headers: { ...h.auth, "content-type": "application/x-ndjson" }, payload: ndjson(header("add"), { key: "lfsFile", value: { path: "data/x.parquet", algo: "sha256", oid, size: data.length } }) });
  assert.equal(c.statusCode, 200, c.body);
  const dl = await h.hub.app.inject({ method: "GET", url: "/datasets/admin/mp/resolve/main/data/x.parquet" });
  assert.ok(dl.rawPayload.equals(data));
  const dlBatch = await h.hub.app.inject({ method: "POST", url: "/datasets/admin/mp.git/info/lfs/objects/batch", headers: { "content-type": "application/vnd.git-lfs+json" }, payload: { operation: "download", objects: [{ oid, size: data.length }] } });
  const href = dlBatch.json().objects[0].actions.download.href;
  const viaLfs = await h.hub.app.inject({ method: "GET", url: strip(href), headers: { range: "bytes=5000-" } });
  assert.equal(viaLfs.statusCode, 206);
  assert.ok(viaLfs.rawPayload.equals(data.subarray(5000)));
});

test("an LFS object uploaded to one repo cannot be committed into another by oid", async () => {
  await h.hub.app.inject({ method: "POST", url: "/api/repos/create", headers: h.auth, payload: { name: "other", type: "dataset" } });
  const data = randomBytes(100);
  const oid = createHash("sha256").update(data).digest("hex");
  const b = await h.hub.app.inject({ method: "POST", url: "/datasets/admin/mp.git/info/lfs/objects/batch", headers: { ...h.auth, "content-type": "application/vnd.git-lfs+json" }, payload: { operation: "upload", objects: [{ oid, size: 100 }] } });
  await h.hub.app.inject({ method: "PUT", url: b.json().objects[0].actions.upload.href.replace("http://hub.test", ""), payload: data });
  const c = await h.hub.app.inject({ method: "POST", url: "/api/datasets/admin/other/commit/main", headers: { ...h.auth, "content-type": "application/x-ndjson" }, payload: ndjson(header("steal"), { key: "lfsFile", value: { path: "x.bin", algo: "sha256", oid, size: 100 } }) });
  assert.equal(c.statusCode, 400);
});
