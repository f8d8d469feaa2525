/** Builds Xet wire objects (xorbs, shards) the way the clients serialize them, for tests. */
import { createHash } from "node:crypto";
import { encodeFrame, lz4Codec } from "../src/adapters/xet/lz4.js";
import { fileHash, hashToHex, hexToHash, verificationHash, type XetHash } from "../src/core/xet/hashing.js";
import { SHARD_TAG } from "../src/core/xet/shard.js";
import { bg4Split, parseXorb, type ParsedXorb } from "../src/core/xet/xorb.js";

/** Serialized xorb (no footer) of the given chunks, compressed with `scheme` (0 none, 1 LZ4, 2 BG4+LZ4). */
export function xorbBytes(chunks: Buffer[], scheme: 0 | 1 | 2 = 1): Buffer {
  const parts: Buffer[] = [];
  for (const data of chunks) {
    const payload = scheme === 0 ? data : encodeFrame(scheme === 2 ? bg4Split(data) : data);
    const h = Buffer.alloc(8);
    h.writeUIntLE(payload.length, 1, 3);
    h[4] = scheme;
    h.writeUIntLE(data.length, 5, 3);
    parts.push(h, payload);
  }
  return Buffer.concat(parts);
}

/** A 48-byte shard entry: a hash followed by u32 fields. */
export const entry = (hash: XetHash, ...u32: number[]) => {
  const e = Buffer.alloc(48);
  Buffer.from(hash).copy(e, 0);
  u32.forEach((v, i) => e.writeUInt32LE(v >>> 0, 32 + i * 4));
  return e;
};
export const BOOKEND = Buffer.concat([Buffer.alloc(32, 0xff), Buffer.alloc(16)]);

/** One file of a shard. */
export interface ShardFileSpec {
  fileHash: XetHash;
  terms: { xorb: XetHash; bytes: number; start: number; end: number; verification: XetHash }[];
  sha256: string;
}

/** Serializes a shard as hf_xet does (header with footer_size 0, file section, CAS section). */
export function shardBytes(files: ShardFileSpec[], xorbs: ParsedXorb[]): Buffer {
  const header = Buffer.alloc(48);
  SHARD_TAG.copy(header, 0);
  header.writeBigUInt64LE(2n, 32);
  const parts = [header];
  for (const f of files) {
    parts.push(entry(f.fileHash, 0xc0000000, f.terms.length, 0, 0));
    for (const t of f.terms) parts.push(entry(t.xorb, 0, t.bytes, t.start, t.end));
    for (const t of f.terms) parts.push(entry(t.verification));
    parts.push(entry(hexToHash(f.sha256)!));
  }
  parts.push(BOOKEND);
  for (const x of xorbs) {
    parts.push(entry(x.hash, 0, x.chunks.length, x.unpackedLength, x.length));
    for (const c of x.chunks) parts.push(entry(c.hash, c.unpackedStart, c.size, 0, 0));
  }
  parts.push(BOOKEND);
  return Buffer.concat(parts);
}

/** A whole single-xorb Xet upload of `chunks`: the xorb, its shard and the ids a client would know. */
export async function xetUpload(chunks: Buffer[], scheme: 0 | 1 | 2 = 1) {
  const xorb = xorbBytes(chunks, scheme);
  const parsed = await parseXorb(xorb, lz4Codec);
  const list = parsed.chunks.map((c) => ({ hash: c.hash, size: c.size }));
  const content = Buffer.concat(chunks);
  const file: ShardFileSpec = {
    fileHash: await fileHash(list),
    terms: [{ xorb: parsed.hash, bytes: content.length, start: 0, end: list.length, verification: await verificationHash(list.map((c) => c.hash)) }],
    sha256: createHash("sha256").update(content).digest("hex"),
  };
  return { xorb, parsed, xorbHex: hashToHex(parsed.hash), file, fileHex: hashToHex(file.fileHash), shard: shardBytes([file], [parsed]), content, sha256: file.sha256 };
}
