/**
 * Hubble's own index of a verified xorb: per chunk its hash, uncompressed size and the end offset
 * of its serialized bytes. Packed 40 bytes per chunk so a 64 MiB xorb (≤ 8192 chunks) indexes in
 * ≤ 320 KiB, stored in the DB next to the xorb record.
 */
import { hashToHex, type XetHash } from "./hashing.js";
import { parseXorb, type Lz4Codec } from "./xorb.js";

const REC = 40;

/** Chunks of a xorb as Hubble indexed them. */
export interface ChunkTable {
  count: number;
  hash(i: number): XetHash;
  size(i: number): number;
  /** Serialized byte range [start, end) of chunk i (header included). */
  start(i: number): number;
  end(i: number): number;
}

/** Packs (hash, size, end) records. */
export function packChunks(chunks: { hash: XetHash; size: number; end: number }[]): Uint8Array {
  const b = Buffer.alloc(chunks.length * REC);
  chunks.forEach((c, i) => {
    b.set(c.hash, i * REC);
    b.writeUInt32LE(c.size, i * REC + 32);
    b.writeUInt32LE(c.end, i * REC + 36);
  });
  return b;
}

/** Reads packed records without copying them. */
export function chunkTable(packed: Uint8Array): ChunkTable {
  const b = Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength);
  const count = Math.floor(b.length / REC);
  return {
    count,
    hash: (i) => new Uint8Array(b.subarray(i * REC, i * REC + 32)),
    size: (i) => b.readUInt32LE(i * REC + 32),
    start: (i) => (i === 0 ? 0 : b.readUInt32LE((i - 1) * REC + 36)),
    end: (i) => b.readUInt32LE(i * REC + 36),
  };
}

/** What verifying an uploaded xorb yields: everything needed to store and index it. */
export interface VerifiedXorb {
  hash: string;
  /** Length of the serialized chunks (any client footer is dropped). */
  length: number;
  unpacked: number;
  chunks: Uint8Array;
  /** Chunks per compression scheme: none, LZ4, BG4+LZ4. */
  schemes: [number, number, number];
}

/** Parses and re-hashes a xorb body (CPU-heavy: the adapters run it on worker threads). */
export async function verifyXorb(body: Uint8Array, lz4: Lz4Codec): Promise<VerifiedXorb> {
  const x = await parseXorb(body, lz4);
  const schemes: [number, number, number] = [0, 0, 0];
  for (const c of x.chunks) schemes[c.scheme as 0 | 1 | 2]++;
  return { hash: hashToHex(x.hash), length: x.length, unpacked: x.unpackedLength, chunks: packChunks(x.chunks), schemes };
}
