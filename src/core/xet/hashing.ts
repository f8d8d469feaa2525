/**
 * Xet hashing (all keyed BLAKE3, 32-byte digests): chunk hashes, the merkle "aggregated" hash of a
 * xorb, file hashes, and the term verification hash a shard carries. Hash strings use Xet's
 * byte order: each 8-byte group is printed as a little-endian u64 (so bytes reverse per group).
 * Contract: huggingface/xet-core `merklehash/{data_hash,aggregated_hashes}.rs` and
 * `metadata_shard/chunk_verification.rs`, checked against their published vectors in test/unit.
 */
import { createBLAKE3, type IHasher } from "hash-wasm";

/** A 32-byte Xet hash, raw bytes as they appear on the wire. */
export type XetHash = Uint8Array;

const DATA_KEY = Uint8Array.from([102, 151, 245, 119, 91, 149, 80, 222, 49, 53, 203, 172, 165, 151, 24, 28, 157, 228, 33, 16, 155, 235, 43, 88, 180, 208, 176, 75, 147, 173, 242, 41]);
const INTERNAL_NODE_KEY = Uint8Array.from([1, 126, 197, 199, 165, 71, 41, 150, 253, 148, 102, 102, 180, 138, 2, 230, 93, 221, 83, 111, 55, 199, 109, 210, 248, 99, 82, 230, 74, 83, 113, 63]);
const VERIFICATION_KEY = Uint8Array.from([127, 24, 87, 214, 206, 86, 237, 102, 18, 127, 249, 19, 231, 165, 195, 243, 164, 205, 38, 213, 181, 219, 73, 230, 65, 36, 152, 127, 40, 251, 148, 195]);

/** The all-zero hash (empty xorb, empty file). */
export const ZERO_HASH: XetHash = new Uint8Array(32);

/** Xet hash string of raw bytes (per 8-byte group, little-endian u64 as 16 hex digits). */
export function hashToHex(h: XetHash): string {
  let s = "";
  for (let g = 0; g < 32; g += 8) for (let i = 7; i >= 0; i--) s += h[g + i]!.toString(16).padStart(2, "0");
  return s;
}

/** Raw bytes of a Xet hash string; null when it is not 64 hex digits. */
export function hexToHash(hex: string): XetHash | null {
  if (!/^[0-9a-f]{64}$/.test(hex)) return null;
  const out = new Uint8Array(32);
  for (let g = 0; g < 4; g++) for (let i = 0; i < 8; i++) out[g * 8 + 7 - i] = parseInt(hex.slice(g * 16 + i * 2, g * 16 + i * 2 + 2), 16);
  return out;
}

/** `hash % n` as xet-core defines it: the last 8 bytes as a little-endian u64. */
export function hashMod(h: XetHash, n: number): number {
  return Number(Buffer.from(h.buffer, h.byteOffset, 32).readBigUInt64LE(24) % BigInt(n));
}

const hashers = new Map<string, Promise<IHasher>>();

/** A reusable keyed BLAKE3 hasher per key (hash-wasm re-keys on init()). */
function keyed(key: Uint8Array): Promise<IHasher> {
  const id = Buffer.from(key).toString("hex");
  let h = hashers.get(id);
  if (!h) {
    h = createBLAKE3(256, key);
    hashers.set(id, h);
  }
  return h;
}

/** blake3_keyed(key, data). Synchronous after the hasher exists; callers must not interleave. */
async function blake3Keyed(key: Uint8Array, ...parts: Uint8Array[]): Promise<XetHash> {
  const h = await keyed(key);
  h.init();
  for (const p of parts) h.update(p);
  return h.digest("binary");
}

/** Hash of one chunk's (uncompressed) bytes. */
export function chunkHash(data: Uint8Array): Promise<XetHash> {
  return blake3Keyed(DATA_KEY, data);
}

/** Where the next merge group ends (at least 2 and at most 9 children; cut on hash % 4 == 0). */
function nextCut(list: { hash: XetHash; size: number }[], from: number): number {
  const left = list.length - from;
  if (left <= 2) return left;
  const end = Math.min(9, left);
  for (let i = 2; i < end; i++) if (hashMod(list[from + i]!.hash, 4) === 0) return i + 1;
  return end;
}

/** The merkle aggregate of (hash, size) pairs; the xorb hash of its chunks. */
export async function aggregatedHash(chunks: { hash: XetHash; size: number }[]): Promise<XetHash> {
  if (chunks.length === 0) return ZERO_HASH;
  let level = chunks;
  while (level.length > 1) {
    const next: { hash: XetHash; size: number }[] = [];
    for (let i = 0; i < level.length; ) {
      const n = nextCut(level, i);
      const group = level.slice(i, i + n);
      const text = group.map((c) => `${hashToHex(c.hash)} : ${c.size}\n`).join("");
      next.push({ hash: await blake3Keyed(INTERNAL_NODE_KEY, Buffer.from(text)), size: group.reduce((s, c) => s + c.size, 0) });
      i += n;
    }
    level = next;
  }
  return level[0]!.hash;
}

/** Xorb hash: the aggregate of its chunks. */
export const xorbHash = aggregatedHash;

/** File hash: keyed (salt, default 32 zero bytes) BLAKE3 of the aggregate; empty file → zero hash. */
export async function fileHash(chunks: { hash: XetHash; size: number }[], salt: Uint8Array = ZERO_HASH): Promise<XetHash> {
  if (chunks.length === 0) return ZERO_HASH;
  return blake3Keyed(salt, await aggregatedHash(chunks));
}

/**
 * Xet's `hmac(hash, key)` (blake3 keyed with `key`) with a hasher made for this one key and not
 * cached: dedupe answers use a fresh random key each.
 */
export async function hmacWith(key: Uint8Array): Promise<(h: XetHash) => XetHash> {
  const hasher = await createBLAKE3(256, key);
  return (h) => {
    hasher.init();
    hasher.update(h);
    return hasher.digest("binary");
  };
}

/** Term verification hash: keyed BLAKE3 over the raw chunk hashes of a xorb range. */
export function verificationHash(chunkHashes: XetHash[]): Promise<XetHash> {
  return blake3Keyed(VERIFICATION_KEY, ...chunkHashes);
}
