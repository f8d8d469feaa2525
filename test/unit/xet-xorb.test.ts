/** Xorb parsing: every compression scheme, recomputed hashes, and refusal of corrupt input. */
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeFrame, lz4Codec } from "../../src/adapters/xet/lz4.js";
import { HubError } from "../../src/core/errors.js";
import { aggregatedHash, chunkHash, hashToHex } from "../../src/core/xet/hashing.js";
import { bg4Regroup, bg4Split, parseXorb } from "../../src/core/xet/xorb.js";

/** Serializes chunks the way hf_xet does: 8-byte header + payload per chunk. */
function serialize(chunks: { data: Buffer; scheme: 0 | 1 | 2 }[]): Buffer {
  const parts: Buffer[] = [];
  for (const { data, scheme } of chunks) {
    const payload = scheme === 0 ? data : scheme === 1 ? encodeFrame(data) : encodeFrame(bg4Split(data));
    const header = Buffer.alloc(8);
    header[0] = 0;
    header.writeUIntLE(payload.length, 1, 3);
    header[4] = scheme;
    header.writeUIntLE(data.length, 5, 3);
    parts.push(header, payload);
  }
  return Buffer.concat(parts);
}

/** Compressible test data (repeated words) and incompressible data. */
const text = (n: number) => Buffer.from("the quick brown fox jumps over the lazy dog ".repeat(Math.ceil(n / 44)).slice(0, n));

test("BG4 split and regroup are inverses for every length mod 4", () => {
  for (const n of [0, 1, 2, 3, 4, 5, 6, 7, 1001]) {
    const d = randomBytes(n);
    assert.deepEqual(Buffer.from(bg4Regroup(bg4Split(d))), d);
  }
  assert.deepEqual([...bg4Split(Uint8Array.from([0, 1, 2, 3, 4, 5, 6]))], [0, 4, 1, 5, 2, 6, 3]);
});

test("parses none, LZ4 and BG4+LZ4 chunks and recomputes chunk and xorb hashes", async () => {
  const datas = [randomBytes(65536), text(100_000), text(3) , randomBytes(131072)];
  const xorb = serialize([{ data: datas[0]!, scheme: 0 }, { data: datas[1]!, scheme: 1 }, { data: datas[2]!, scheme: 2 }, { data: datas[3]!, scheme: 1 }]);
  const parsed = await parseXorb(xorb, lz4Codec);
  const expected = [];
  for (const d of datas) expected.push({ hash: await chunkHash(d), size: d.length });
  assert.deepEqual(parsed.chunks.map((c) => hashToHex(c.hash)), expected.map((e) => hashToHex(e.hash)));
  assert.equal(hashToHex(parsed.hash), hashToHex(await aggregatedHash(expected)));
  assert.equal(parsed.length, xorb.length);
  assert.equal(parsed.unpackedLength, datas.reduce((n, d) => n + d.length, 0));
  assert.equal(parsed.chunks[1]!.start, 8 + 65536);
  assert.ok(parsed.chunks[1]!.end - parsed.chunks[1]!.start < 100_000, "LZ4 chunk is stored compressed");
  // a client footer is ignored: the parse stops at XETBLOB and reports the chunk data length
  const withFooter = Buffer.concat([xorb, Buffer.from("XETBLOB\x01"), randomBytes(100)]);
  const p2 = await parseXorb(withFooter, lz4Codec);
  assert.equal(p2.length, xorb.length);
  assert.equal(hashToHex(p2.hash), hashToHex(parsed.hash));
});

test("corrupt, truncated and malformed xorbs are refused", async () => {
  const good = serialize([{ data: text(5000), scheme: 1 }, { data: randomBytes(100), scheme: 0 }]);
  const refuse = async (buf: Buffer, why: RegExp) =>
    assert.rejects(parseXorb(buf, lz4Codec), (e: unknown) => e instanceof HubError && e.status === 400 && why.test(e.message));
  await refuse(good.subarray(0, good.length - 10), /truncated/);
  await refuse(good.subarray(0, 5), /truncated/);
  const badScheme = Buffer.from(good);
  badScheme[4] = 7;
  await refuse(badScheme, /scheme/);
  const badLen = Buffer.from(good);
  badLen.writeUIntLE(4999, 5, 3);
  await refuse(badLen, /decompresses to/);
  const garbled = Buffer.from(good);
  garbled[20] = garbled[20]! ^ 0xff;
  await assert.rejects(parseXorb(garbled, lz4Codec));
  await refuse(Buffer.alloc(0), /no chunks/);
  const tooBig = Buffer.alloc(8);
  tooBig.writeUIntLE(200_000, 5, 3);
  await refuse(tooBig, /too large/);
  // flipping a byte of an uncompressed chunk changes its hash: the xorb hash no longer matches
  const flipped = Buffer.from(good);
  flipped[flipped.length - 1] = flipped[flipped.length - 1]! ^ 1;
  const a = await parseXorb(good, lz4Codec);
  const b = await parseXorb(flipped, lz4Codec);
  assert.notEqual(hashToHex(a.hash), hashToHex(b.hash));
});
