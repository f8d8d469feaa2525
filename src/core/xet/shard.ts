/**
 * Xet shards (MDB v2): what an upload says about its files (terms over xorb chunk ranges, with
 * verification hashes and the LFS sha256) and its xorbs. Parsed sequentially up to the end of
 * the CAS section, ignoring any footer or lookup tables (clients send none, a stale one, or a
 * full one). Contract: xet-core `metadata_shard/{shard_format,file_structs,xorb_structs}.rs`.
 */
import { HubError } from "../errors.js";
import { fileHash, hashToHex, verificationHash, type XetHash } from "./hashing.js";

/** The 32-byte tag that starts every shard. */
export const SHARD_TAG = Buffer.concat([Buffer.from("HFRepoMetaData\0"), Buffer.from([85, 105, 103, 69, 106, 123, 129, 87, 131, 165, 189, 217, 92, 205, 209, 74, 169])]);

const FLAG_VERIFICATION = 0x80000000;
const FLAG_METADATA_EXT = 0x40000000;
const ENTRY = 48;

/** One term of a file: a chunk range [chunkStart, chunkEnd) of a xorb. */
export interface ShardTerm {
  xorbHash: XetHash;
  unpackedBytes: number;
  chunkStart: number;
  chunkEnd: number;
  verification?: XetHash;
}

/** A file described by a shard. */
export interface ShardFile {
  fileHash: XetHash;
  terms: ShardTerm[];
  /** The LFS oid (sha256 hex) the client asserts for this file, if it sent one. */
  sha256?: string;
}

/** A xorb's chunk list as a shard describes it. */
export interface ShardXorb {
  xorbHash: XetHash;
  chunks: { hash: XetHash; start: number; size: number; flags: number }[];
}

/** A parsed shard. */
export interface Shard {
  files: ShardFile[];
  xorbs: ShardXorb[];
}

const bad = (msg: string) => new HubError("BadRequest", `Invalid shard: ${msg}`);

function isBookend(b: Buffer, at: number): boolean {
  for (let i = 0; i < 32; i++) if (b[at + i] !== 0xff) return false;
  return true;
}

/** Parses a shard; throws BadRequest on malformed input. Counts are bounded by the buffer size. */
export function parseShard(input: Uint8Array): Shard {
  const b = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (b.length < 48 || !b.subarray(0, 32).equals(SHARD_TAG)) throw bad("missing header tag");
  if (b.readBigUInt64LE(32) !== 2n) throw bad("unsupported version");
  let pos = 48;
  const need = (n: number) => {
    if (pos + n > b.length) throw bad("truncated");
  };
  const hash = (at: number): XetHash => new Uint8Array(b.subarray(at, at + 32));
  const files: ShardFile[] = [];
  for (;;) {
    need(ENTRY);
    if (isBookend(b, pos)) {
      pos += ENTRY;
      break;
    }
    const fh = hash(pos);
    const flags = b.readUInt32LE(pos + 32);
    const n = b.readUInt32LE(pos + 36);
    pos += ENTRY;
    need(n * ENTRY);
    const terms: ShardTerm[] = [];
    for (let i = 0; i < n; i++, pos += ENTRY) {
      terms.push({ xorbHash: hash(pos), unpackedBytes: b.readUInt32LE(pos + 36), chunkStart: b.readUInt32LE(pos + 40), chunkEnd: b.readUInt32LE(pos + 44) });
    }
    if (flags & FLAG_VERIFICATION) {
      need(n * ENTRY);
      for (let i = 0; i < n; i++, pos += ENTRY) terms[i]!.verification = hash(pos);
    }
    let sha256: string | undefined;
    if (flags & FLAG_METADATA_EXT) {
      need(ENTRY);
      sha256 = hashToHex(hash(pos));
      pos += ENTRY;
    }
    files.push({ fileHash: fh, terms, ...(sha256 ? { sha256 } : {}) });
  }
  const xorbs: ShardXorb[] = [];
  for (;;) {
    need(ENTRY);
    if (isBookend(b, pos)) break;
    const xh = hash(pos);
    const n = b.readUInt32LE(pos + 36);
    pos += ENTRY;
    need(n * ENTRY);
    const chunks = [];
    for (let i = 0; i < n; i++, pos += ENTRY) chunks.push({ hash: hash(pos), start: b.readUInt32LE(pos + 32), size: b.readUInt32LE(pos + 36), flags: b.readUInt32LE(pos + 40) });
    xorbs.push({ xorbHash: xh, chunks });
  }
  const withVerification = files.filter((f) => f.terms.length > 0 && f.terms.every((t) => t.verification));
  if (withVerification.length !== files.filter((f) => f.terms.length > 0).length) throw bad("every file needs verification entries");
  return { files, xorbs };
}

/** Chunk list of a stored xorb, as Hubble indexed it when the xorb was uploaded. */
export type XorbLookup = (xorbHash: XetHash) => Promise<{ hash: XetHash; size: number }[] | null>;

/**
 * Verifies every file of a shard against stored xorbs: the xorbs exist, the ranges are in bounds,
 * the sizes add up, each term's verification hash proves possession of those chunks, and the
 * file hash is what the chunks reconstruct to. Throws BadRequest naming the first problem.
 */
export async function verifyShard(shard: Shard, lookup: XorbLookup): Promise<void> {
  for (const f of shard.files) {
    const all: { hash: XetHash; size: number }[] = [];
    for (const [i, t] of f.terms.entries()) {
      const chunks = await lookup(t.xorbHash);
      if (!chunks) throw bad(`references xorb ${hashToHex(t.xorbHash)} which was not uploaded`);
      // One message whatever fails (range, size or verification hash): distinct answers would let
      // a caller probe chunk counts and sizes of a xorb it does not hold.
      const mismatch = () => bad(`term ${i} of file ${hashToHex(f.fileHash)} does not match the content of xorb ${hashToHex(t.xorbHash)}`);
      if (!t.verification || !(t.chunkStart < t.chunkEnd && t.chunkEnd <= chunks.length)) throw mismatch();
      const range = chunks.slice(t.chunkStart, t.chunkEnd);
      const v = await verificationHash(range.map((c) => c.hash));
      if (hashToHex(v) !== hashToHex(t.verification)) throw mismatch();
      if (range.reduce((n, c) => n + c.size, 0) !== t.unpackedBytes) throw mismatch();
      all.push(...range);
    }
    if (hashToHex(await fileHash(all)) !== hashToHex(f.fileHash)) throw bad(`file ${hashToHex(f.fileHash)} does not reconstruct to its hash`);
  }
}

/**
 * The shard a global-dedupe query answers with: header (footer_size 200), an empty file
 * section, the CAS entries of the given xorbs, and a footer whose lookup offsets all point at
 * the end of the CAS section (no lookup tables; the client then scans the CAS section). The
 * chunk hashes given must already be keyed with `hmacKey` (xet-core's `chunk_hash_hmac_key`),
 * which goes into the footer; expiry three weeks out (0 would mean expired). Only each xorb's
 * first chunk carries the global-dedupe flag: the flag of a raw hash would leak bits of it.
 */
export function dedupeShard(xorbs: { hash: XetHash; length: number; chunks: { hash: XetHash; size: number }[] }[], nowSeconds: number, hmacKey: Uint8Array): Buffer {
  if (hmacKey.length !== 32 || hmacKey.every((b) => b === 0)) throw new Error("dedupe shards need a non-zero HMAC key");
  const bookend = Buffer.concat([Buffer.alloc(32, 0xff), Buffer.alloc(16)]);
  const parts: Buffer[] = [];
  const header = Buffer.alloc(48);
  SHARD_TAG.copy(header, 0);
  header.writeBigUInt64LE(2n, 32);
  header.writeBigUInt64LE(200n, 40);
  parts.push(header, bookend);
  let materialized = 0;
  let onDisk = 0;
  for (const x of xorbs) {
    const h = Buffer.alloc(48);
    h.set(x.hash, 0);
    const unpacked = x.chunks.reduce((n, c) => n + c.size, 0);
    h.writeUInt32LE(0, 32);
    h.writeUInt32LE(x.chunks.length, 36);
    h.writeUInt32LE(unpacked, 40);
    h.writeUInt32LE(x.length, 44);
    parts.push(h);
    let off = 0;
    for (const [i, c] of x.chunks.entries()) {
      const e = Buffer.alloc(48);
      e.set(c.hash, 0);
      e.writeUInt32LE(off, 32);
      e.writeUInt32LE(c.size, 36);
      e.writeUInt32LE(i === 0 ? 0x80000000 : 0, 40);
      parts.push(e);
      off += c.size;
    }
    materialized += unpacked;
    onDisk += x.length;
  }
  parts.push(bookend);
  const end = BigInt(parts.reduce((n, p) => n + p.length, 0));
  const f = Buffer.alloc(200);
  let p = 0;
  const u64 = (v: bigint) => {
    f.writeBigUInt64LE(v, p);
    p += 8;
  };
  u64(1n); // version
  u64(48n); // file_info_offset
  u64(96n); // xorb_info_offset (header 48 + file bookend 48)
  u64(end); // file_lookup_offset
  u64(0n);
  u64(end); // xorb_lookup_offset
  u64(0n);
  u64(end); // chunk_lookup_offset
  u64(0n);
  f.set(hmacKey, p); // chunk_hash_hmac_key
  p += 32;
  u64(BigInt(nowSeconds)); // creation
  u64(BigInt(nowSeconds + 21 * 86400)); // key expiry
  p += 48; // reserved
  u64(BigInt(onDisk));
  u64(BigInt(materialized));
  u64(BigInt(onDisk));
  u64(end); // footer_offset
  return Buffer.concat([...parts, f]);
}
