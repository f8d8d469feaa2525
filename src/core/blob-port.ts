/** The blob-storage port (re-exported by ports.ts): typed keys, verified puts, presigned transfers. */
import type { Readable } from "node:stream";
import type { Sha256 } from "./ids.js";

/** Typed blob keys: the bucket/volume layout is a contract with users' data (docs/architecture.md). */
export type BlobKey =
  | { kind: "lfs"; oid: Sha256 }
  | { kind: "upload-part"; uploadId: string; part: number }
  /** A verified Xet xorb (serialized chunks, no footer), by its hex xorb hash. */
  | { kind: "xorb"; hash: string }
  /** An accepted Xet shard as uploaded, by the sha256 of its bytes. */
  | { kind: "shard"; sha256: string }
  /**
   * Where a client uploads straight to the bucket (presigned, HUBBLE_S3_DIRECT): never read as a
   * blob of any repo; verified, then copied to its real key, then removed (or swept).
   */
  | { kind: "staging"; id: string };

/** Expectations checked while a blob streams in; a mismatch leaves nothing visible. */
export interface PutExpect {
  size?: number;
  sha256?: Sha256;
}

/** Small, stream-first object storage. */
export interface BlobStore {
  /** Size of a stored blob, or null when absent. */
  stat(key: BlobKey): Promise<{ size: number } | null>;
  /** Streams a blob, optionally the inclusive byte range [start, end]. Throws when absent. */
  get(key: BlobKey, range?: { start: number; end: number }, signal?: AbortSignal): Promise<Readable>;
  /**
   * Stores a stream under key, verifying size and sha256 while streaming; the blob becomes
   * visible only when both check out. Returns what was measured.
   */
  put(key: BlobKey, body: Readable, expect?: PutExpect, signal?: AbortSignal): Promise<{ size: number; sha256: Sha256 }>;
  /** Removes a blob; absent is fine. */
  delete(key: BlobKey): Promise<void>;
  /**
   * Optional random access (local disks): lets a surface read into its own reused buffers instead
   * of allocating one per chunk. Stores without cheap positional reads leave it out.
   */
  openReader?(key: BlobKey): Promise<BlobReader>;
  /** Presigned transfers between clients and the store, when it offers them and they are on. */
  direct?: DirectTransfers;
}

/**
 * Transfers that bypass the node: URLs a client uses without credentials, signed by the store,
 * valid for `ttl` seconds. Uploads only ever target staging keys (the core verifies, then copies).
 */
export interface DirectTransfers {
  /**
   * A GET URL for a blob: `filename` sets the download name; `range` (inclusive) binds the URL to
   * exactly that byte range — the client must send `Range: bytes=start-end` — so it cannot read
   * the rest of the blob (a xorb may hold chunks of files the caller may not read).
   */
  getUrl(key: BlobKey, ttl: number, o?: { filename?: string; range?: { start: number; end: number } }): Promise<string>;
  /** A PUT URL for one whole object. */
  putUrl(key: BlobKey, ttl: number): Promise<string>;
  /** Starts a multipart upload; returns its id. */
  startMultipart(key: BlobKey): Promise<string>;
  /** A PUT URL for one part (1-based) of a multipart upload; the answer's ETag names the part. */
  partUrl(key: BlobKey, uploadId: string, part: number, ttl: number): Promise<string>;
  /** Completes a multipart upload from the parts' ETags, in order. */
  completeMultipart(key: BlobKey, uploadId: string, etags: string[]): Promise<void>;
  /** Copies a blob inside the store (no bytes through the node). */
  copy(from: BlobKey, to: BlobKey, size: number): Promise<void>;
}

/** Positional reads of one blob. */
export interface BlobReader {
  size: number;
  /** Reads up to `length` bytes at `position` into `buf`; returns the count read. */
  read(buf: Buffer, length: number, position: number): Promise<number>;
  close(): Promise<void>;
}
