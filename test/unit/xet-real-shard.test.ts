/**
 * The parsers against real client bytes: a xorb and a shard captured from huggingface_hub 2.4.0 +
 * hf_xet 1.8.0 uploading a 417,420-byte text file (sha256 0c6cfb9d…) to Hubble.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { lz4Codec } from "../../src/adapters/xet/lz4.js";
import { fileHash, hashToHex } from "../../src/core/xet/hashing.js";
import { parseShard, verifyShard } from "../../src/core/xet/shard.js";
import { decodeChunk, parseXorb } from "../../src/core/xet/xorb.js";
import { ROOT } from "../e2e/harness.js";

const DIR = join(ROOT, "test/fixtures/xet");
const XORB = "6eb7197465858281384f710db8f433641904a0ba6a224c4d0894fd2f4e9d07eb";
const SHA256 = "0c6cfb9d0322adb417583f8f14583280948e158e5c44aab48b1c54580b4e289c";

test("a real hf_xet xorb and shard parse, verify, and reconstruct the uploaded file", async () => {
  const xorbBytes = readFileSync(join(DIR, `${XORB}.xorb`));
  const shardBytes = readFileSync(join(DIR, "hf_xet-1.8.0.shard"));
  const xorb = await parseXorb(xorbBytes, lz4Codec);
  assert.equal(hashToHex(xorb.hash), XORB, "recomputed xorb hash equals the name the client gave it");
  assert.equal(xorb.length, xorbBytes.length, "hf_xet 1.8.0 sends no xorb footer");
  assert.equal(xorb.unpackedLength, 417_420);

  const shard = parseShard(shardBytes);
  assert.equal(shard.files.length, 1);
  const file = shard.files[0]!;
  assert.equal(file.sha256, SHA256, "FileMetadataExt carries the LFS oid in xet-core's byte order");
  assert.deepEqual(file.terms.map((t) => [hashToHex(t.xorbHash), t.chunkStart, t.chunkEnd, t.unpackedBytes]), [[XORB, 0, xorb.chunks.length, 417_420]]);
  assert.ok(file.terms.every((t) => t.verification), "verification entries present");
  assert.equal(hashToHex(file.fileHash), hashToHex(await fileHash(xorb.chunks)));
  assert.equal(shard.xorbs.length, 1);
  assert.deepEqual(shard.xorbs[0]!.chunks.map((c) => hashToHex(c.hash)), xorb.chunks.map((c) => hashToHex(c.hash)));
  await verifyShard(shard, async (h) => (hashToHex(h) === XORB ? xorb.chunks : null));

  const sha = createHash("sha256");
  for (const c of xorb.chunks) {
    const scheme = xorbBytes[c.start + 4]!;
    sha.update(decodeChunk(scheme, xorbBytes.subarray(c.start + 8, c.end), c.size, lz4Codec));
  }
  assert.equal(sha.digest("hex"), SHA256, "decompressed chunks are the uploaded file");
});
