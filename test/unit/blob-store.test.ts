/**
 * One blob-store conformance suite, run against the data folder and against a real S3 server
 * (versitygw): what goes in comes out (whole and by range), a put that fails its size or sha256
 * check leaves nothing visible (and, on S3, no multipart upload behind), bodies larger than one
 * part go up in parts and are verified before they appear, deletes are idempotent.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { ListMultipartUploadsCommand } from "@aws-sdk/client-s3";
import { FsBlobStore } from "../../src/adapters/blob/fs-blob-store.js";
import { S3BlobStore, s3Client } from "../../src/adapters/blob/s3-blob-store.js";
import type { Sha256 } from "../../src/core/ids.js";
import type { BlobKey, BlobStore } from "../../src/core/ports.js";
import { startS3, type S3Server } from "../support/s3-server.js";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex") as Sha256;
const lfs = (b: Buffer): BlobKey => ({ kind: "lfs", oid: sha(b) });
/** A body in uneven chunks, as a network delivers it. */
const chunks = (b: Buffer, size = 1 << 20) => Readable.from((function* () { for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size); })());
async function read(s: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of s) parts.push(p as Buffer);
  return Buffer.concat(parts);
}

let s3: S3Server;
let dir: string;
const stores: Record<string, () => BlobStore> = {};
let pendingMultipart: () => Promise<number> = async () => 0;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "hubble-blobs-"));
  s3 = await startS3("conformance");
  const client = s3Client({ bucket: s3.bucket, prefix: "", endpoint: s3.endpoint, region: "us-east-1" });
  stores.folder = () => new FsBlobStore(dir);
  stores.s3 = () => new S3BlobStore(client, { bucket: s3.bucket, prefix: "blobs" });
  pendingMultipart = async () => ((await client.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket }))).Uploads ?? []).length;
});
after(async () => {
  await s3?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

for (const name of ["folder", "s3"]) {
  describe(`blob store conformance: ${name}`, () => {
    test("put, stat, get whole and by range, delete (idempotent)", async () => {
      const store = stores[name]!();
      const data = randomBytes(300_000);
      const key = lfs(data);
      assert.equal(await store.stat(key), null);
      assert.deepEqual(await store.put(key, chunks(data, 7000), { size: data.length, sha256: key.kind === "lfs" ? key.oid : undefined }), { size: data.length, sha256: sha(data) });
      assert.deepEqual(await store.stat(key), { size: data.length });
      assert.ok((await read(await store.get(key))).equals(data));
      assert.ok((await read(await store.get(key, { start: 1000, end: 1999 }))).equals(data.subarray(1000, 2000)));
      assert.ok((await read(await store.get(key, { start: data.length - 1, end: data.length - 1 }))).equals(data.subarray(-1)));
      await store.delete(key);
      assert.equal(await store.stat(key), null);
      await store.delete(key);
      await assert.rejects(store.get(key), (e: Error & { kind?: string }) => e.kind === "EntryNotFound");
    });

    test("an empty blob and other key kinds", async () => {
      const store = stores[name]!();
      const empty = Buffer.alloc(0);
      await store.put(lfs(empty), Readable.from([]), { size: 0, sha256: sha(empty) });
      assert.deepEqual(await store.stat(lfs(empty)), { size: 0 });
      assert.equal((await read(await store.get(lfs(empty)))).length, 0);
      const part: BlobKey = { kind: "upload-part", uploadId: "u1", part: 2 };
      await store.put(part, chunks(Buffer.from("part two")));
      assert.equal((await read(await store.get(part))).toString(), "part two");
      await store.delete(part);
      const xorb: BlobKey = { kind: "xorb", hash: "ab".repeat(32) };
      await store.put(xorb, chunks(Buffer.from("xorb bytes")));
      assert.deepEqual(await store.stat(xorb), { size: 10 });
    });

    test("a failed size or hash check leaves nothing visible, and no upload behind", async () => {
      const store = stores[name]!();
      const data = randomBytes(40 << 20); // larger than one S3 part: the multipart path
      const key = lfs(data);
      await assert.rejects(store.put(key, chunks(data), { size: data.length, sha256: sha(Buffer.from("other")) }), /Hash mismatch/);
      assert.equal(await store.stat(key), null);
      await assert.rejects(store.put(key, chunks(data), { size: data.length - 1 }), /Size mismatch/);
      assert.equal(await store.stat(key), null);
      await assert.rejects(store.put(key, chunks(data.subarray(0, 1000)), { size: data.length }), /Size mismatch/);
      assert.equal(await store.stat(key), null);
      assert.equal(await pendingMultipart(), 0, "aborted multipart uploads are gone");
      // The same body, right this time, in parts, verified before it appears.
      assert.deepEqual(await store.put(key, chunks(data), { size: data.length, sha256: key.kind === "lfs" ? key.oid : undefined }), { size: data.length, sha256: sha(data) });
      assert.deepEqual(await store.stat(key), { size: data.length });
      assert.equal(sha(await read(await store.get(key))), sha(data));
      assert.ok((await read(await store.get(key, { start: (16 << 20) - 5, end: (16 << 20) + 4 }))).equals(data.subarray((16 << 20) - 5, (16 << 20) + 5)), "a range across a part boundary");
    });

    test("concurrent puts of the same content agree", async () => {
      const store = stores[name]!();
      const data = randomBytes(2 << 20);
      const key = lfs(data);
      const results = await Promise.all([1, 2, 3].map(() => store.put(key, chunks(data, 65536), { size: data.length })));
      for (const r of results) assert.equal(r.sha256, sha(data));
      assert.equal(sha(await read(await store.get(key))), sha(data));
    });
  });
}
