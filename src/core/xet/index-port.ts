/** The Xet indexes port (part of the MetaStore; re-exported by core/ports.ts). */

/** One term of a Xet file: chunks [start, end) of a xorb, `bytes` long uncompressed. */
export interface XetTerm {
  xorb: string;
  start: number;
  end: number;
  bytes: number;
}

/** A verified xorb's index: packed chunk records (see core/xet/xorb-index.ts). */
export interface XorbIndexRecord {
  hash: string;
  /** Serialized length (bytes stored). */
  length: number;
  chunks: Uint8Array;
}

/** The Xet indexes (hashes are hex strings in xet-core's byte order). */
export interface XetIndex {
  xorb(hash: string): Promise<XorbIndexRecord | null>;
  /** Records a stored xorb; false if it was already known. */
  addXorb(x: XorbIndexRecord & { unpacked: number }): Promise<boolean>;
  /**
   * A dedupe entry point for a chunk: the xorb holding it and a file it was registered through,
   * only among files in the scope's repo, in repos of the scope's owner, or in public ungated repos.
   */
  dedupeEntry(chunk: string, scope: { repoId: number; ownerId: number }): Promise<{ xorb: string; index: number; file: string } | null>;
  /**
   * Records an accepted shard: its files (global, content-addressed), the uploading repo's right
   * to them with the sha256 the client asserted, and dedupe-eligible chunks. False if the shard
   * was already recorded for this repo.
   */
  addShard(s: {
    sha256: string;
    repoId: number;
    files: { hash: string; size: number; terms: XetTerm[]; sha256: string | null }[];
    dedupe: { chunk: string; xorb: string; index: number; file: string }[];
  }): Promise<boolean>;
  file(hash: string): Promise<{ size: number; terms: XetTerm[] } | null>;
  /** Whether the repo may read a Xet file (it was uploaded through this repo). */
  repoHasFile(repoId: number, fileHash: string): Promise<boolean>;
  /** The Xet file a repo's LFS oid maps to (newest first if several were asserted). */
  fileForOid(repoId: number, sha256: string): Promise<{ fileHash: string; size: number } | null>;
  /** Xet hashes of several oids in a repo (tree listings). */
  filesForOids(repoId: number, sha256s: string[]): Promise<Map<string, string>>;
}
