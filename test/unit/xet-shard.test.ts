/** Shard parsing and verification against xorbs parsed from real bytes. */
import { createHash, randomBytes } from "node:crypto";
import { test } from "node:test";
import assert from "node:assert/strict";
import { lz4Codec } from "../../src/adapters/xet/lz4.js";
import { HubError } from "../../src/core/errors.js";
import { fileHash, hashToHex, verificationHash, type XetHash } from "../../src/core/xet/hashing.js";
import { parseShard, SHARD_TAG, verifyShard, type Shard } from "../../src/core/xet/shard.js";
import { parseXorb } from "../../src/core/xet/xorb.js";
import { BOOKEND, entry, shardBytes, xorbBytes } from "../xet-builders.js";

test("a shard's files verify against stored xorbs; the sha256 comes back in Xet string order", async () => {
  const data = [randomBytes(40_000), randomBytes(50_000), randomBytes(30_000)];
  const xorb = await parseXorb(xorbBytes(data), lz4Codec);
  const content = Buffer.concat(data);
  const sha = createHash("sha256").update(content).digest("hex");
  const chunks = xorb.chunks.map((c) => ({ hash: c.hash, size: c.size }));
  const file = {
    fileHash: await fileHash(chunks),
    // two terms over the same xorb: [0,1) and [1,3)
    terms: [
      { xorb: xorb.hash, bytes: 40_000, start: 0, end: 1, verification: await verificationHash([chunks[0]!.hash]) },
      { xorb: xorb.hash, bytes: 80_000, start: 1, end: 3, verification: await verificationHash([chunks[1]!.hash, chunks[2]!.hash]) },
    ],
    sha256: sha,
  };
  const bytes = shardBytes([file], [xorb]);
  const shard = parseShard(Buffer.concat([bytes, randomBytes(200)])); // trailing footer bytes are ignored
  assert.equal(shard.files.length, 1);
  assert.equal(shard.files[0]!.sha256, sha);
  assert.equal(hashToHex(shard.files[0]!.fileHash), hashToHex(file.fileHash));
  assert.deepEqual(shard.files[0]!.terms.map((t) => [t.chunkStart, t.chunkEnd, t.unpackedBytes]), [[0, 1, 40_000], [1, 3, 80_000]]);
  assert.equal(shard.xorbs[0]!.chunks.length, 3);
  const store = new Map([[hashToHex(xorb.hash), chunks]]);
  const lookup = async (h: XetHash) => store.get(hashToHex(h)) ?? null;
  await verifyShard(shard, lookup);

  const refuse = async (s: Shard, why: RegExp) => assert.rejects(verifyShard(s, lookup), (e: unknown) => e instanceof HubError && e.status === 400 && why.test(e.message));
  const clone = (): Shard => parseShard(bytes);
  const missing = clone();
  missing.files[0]!.terms[0]!.xorbHash = new Uint8Array(32).fill(7);
  await refuse(missing, /not uploaded/);
  const outOfRange = clone();
  outOfRange.files[0]!.terms[1]!.chunkEnd = 4;
  // Range, size and proof failures read the same, so a caller cannot probe a xorb's layout.
  const sameMessage = /term 1 of file \w+ does not match the content of xorb/;
  await refuse(outOfRange, sameMessage);
  const wrongSize = clone();
  wrongSize.files[0]!.terms[1]!.unpackedBytes = 79_999;
  await refuse(wrongSize, sameMessage);
  const wrongProof = clone();
  wrongProof.files[0]!.terms[1]!.verification = await verificationHash([chunks[1]!.hash]);
  await refuse(wrongProof, sameMessage);
  const wrongFile = clone();
  wrongFile.files[0]!.fileHash = await fileHash(chunks.slice(0, 2));
  await refuse(wrongFile, /does not reconstruct/);
});

test("malformed shards are refused", () => {
  const bad = (b: Buffer) => assert.throws(() => parseShard(b), (e: unknown) => e instanceof HubError && e.status === 400);
  bad(Buffer.alloc(10));
  bad(Buffer.alloc(48));
  const header = Buffer.alloc(48);
  SHARD_TAG.copy(header);
  header.writeBigUInt64LE(3n, 32);
  bad(header);
  header.writeBigUInt64LE(2n, 32);
  bad(header); // no sections
  bad(Buffer.concat([header, entry(new Uint8Array(32), 0xc0000000, 1000, 0, 0)])); // claims 1000 terms, has none
  const noVerification = Buffer.concat([header, entry(new Uint8Array(32).fill(1), 0, 1, 0, 0), entry(new Uint8Array(32).fill(2), 0, 10, 0, 1), BOOKEND, BOOKEND]);
  bad(noVerification);
  const empty = parseShard(Buffer.concat([header, BOOKEND, BOOKEND]));
  assert.deepEqual(empty, { files: [], xorbs: [] });
});
