/**
 * Xorb parsing and verification. A serialized xorb is a run of chunks, each an 8-byte header
 * (u8 version=0, u24 LE compressed size, u8 scheme, u24 LE uncompressed size) and its bytes,
 * optionally followed by a footer starting with "XETBLOB". Hubble never trusts a client footer:
 * it decompresses every chunk, recomputes every chunk hash and the xorb hash, and keeps its own
 * index. Contract: xet-core `xorb_object/{xorb_chunk_format,compression_scheme}.rs`.
 */
import { HubError } from "../errors.js";
import { aggregatedHash, chunkHash, type XetHash } from "./hashing.js";

/** Compression schemes on the wire. */
export const enum Scheme {
  None = 0,
  Lz4 = 1,
  ByteGrouping4Lz4 = 2,
}

/** LZ4 *frame* decoding, provided by an adapter (the core stays free of native modules). */
export interface Lz4Codec {
  decodeFrame(data: Uint8Array): Uint8Array;
}

/** One chunk of a verified xorb. */
export interface XorbChunk {
  hash: XetHash;
  /** Uncompressed length. */
  size: number;
  /** Byte range of the serialized chunk (header included) in the xorb: [start, end). */
  start: number;
  end: number;
  /** Offset of the chunk's data in the uncompressed xorb. */
  unpackedStart: number;
  /** Compression scheme on the wire. */
  scheme: number;
}

/** A verified xorb: its chunks and recomputed hash; `length` excludes any client footer. */
export interface ParsedXorb {
  hash: XetHash;
  chunks: XorbChunk[];
  length: number;
  unpackedLength: number;
}

const MAX_UNCOMPRESSED = 128 * 1024;
const MAX_COMPRESSED = 256 * 1024;
const FOOTER_IDENT = Buffer.from("XETBLOB");

const bad = (msg: string) => new HubError("BadRequest", `Invalid xorb: ${msg}`);

/** Undoes byte grouping: the input holds bytes i%4==0, then 1, 2, 3 (first n%4 groups one longer). */
export function bg4Regroup(grouped: Uint8Array): Uint8Array {
  const n = grouped.length;
  const out = new Uint8Array(n);
  const base = Math.floor(n / 4);
  const extra = n % 4;
  let offset = 0;
  for (let g = 0; g < 4; g++) {
    const len = base + (g < extra ? 1 : 0);
    for (let i = 0; i < len; i++) out[i * 4 + g] = grouped[offset + i]!;
    offset += len;
  }
  return out;
}

/** Groups bytes by position mod 4 (the inverse of bg4Regroup; used by tests and future writers). */
export function bg4Split(data: Uint8Array): Uint8Array {
  const n = data.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (let g = 0; g < 4; g++) for (let i = g; i < n; i += 4) out[o++] = data[i]!;
  return out;
}

/** Decompressed bytes of one chunk. */
export function decodeChunk(scheme: number, data: Uint8Array, expected: number, lz4: Lz4Codec): Uint8Array {
  let out: Uint8Array;
  try {
    if (scheme === Scheme.None) out = data;
    else if (scheme === Scheme.Lz4) out = lz4.decodeFrame(data);
    else if (scheme === Scheme.ByteGrouping4Lz4) out = bg4Regroup(lz4.decodeFrame(data));
    else throw bad(`unknown compression scheme ${scheme}`);
  } catch (e) {
    throw e instanceof HubError ? e : bad(`chunk does not decompress (${(e as Error).message})`);
  }
  if (out.length !== expected) throw bad(`chunk decompresses to ${out.length} bytes, header says ${expected}`);
  return out;
}

/** Parses every chunk, recomputes hashes; throws BadRequest on any inconsistency. */
export async function parseXorb(buf: Uint8Array, lz4: Lz4Codec): Promise<ParsedXorb> {
  const view = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const chunks: XorbChunk[] = [];
  let pos = 0;
  let unpacked = 0;
  while (pos < view.length) {
    if (view.length - pos >= FOOTER_IDENT.length && view.subarray(pos, pos + FOOTER_IDENT.length).equals(FOOTER_IDENT)) break;
    if (view.length - pos < 8) throw bad("truncated chunk header");
    const version = view[pos]!;
    const compressed = view.readUIntLE(pos + 1, 3);
    const scheme = view[pos + 4]!;
    const size = view.readUIntLE(pos + 5, 3);
    if (version !== 0) throw bad(`chunk header version ${version}`);
    if (size > MAX_UNCOMPRESSED || compressed > MAX_COMPRESSED) throw bad("chunk too large");
    if (pos + 8 + compressed > view.length) throw bad("truncated chunk data");
    const data = decodeChunk(scheme, view.subarray(pos + 8, pos + 8 + compressed), size, lz4);
    chunks.push({ hash: await chunkHash(data), size, start: pos, end: pos + 8 + compressed, unpackedStart: unpacked, scheme });
    unpacked += size;
    pos += 8 + compressed;
  }
  if (chunks.length === 0) throw bad("no chunks");
  return { hash: await aggregatedHash(chunks), chunks, length: pos, unpackedLength: unpacked };
}
