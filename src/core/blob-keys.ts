/**
 * Where each kind of blob lives inside a blob store: the same relative keys in the data folder
 * and in a bucket (under its prefix), so an install can move between them object by object. The
 * layout is a contract with users' data (docs/architecture.md, "Storage layout").
 */
import type { BlobKey } from "./ports.js";

/** Relative location of a key. */
export function blobKeyPath(key: BlobKey): string {
  switch (key.kind) {
    case "lfs":
      return `lfs/${key.oid.slice(0, 2)}/${key.oid.slice(2, 4)}/${key.oid}`;
    case "upload-part":
      return `uploads/${key.uploadId}/${key.part}`;
    case "xorb":
      return `xet/xorbs/${key.hash.slice(0, 2)}/${key.hash}`;
    case "shard":
      return `xet/shards/${key.sha256.slice(0, 2)}/${key.sha256}`;
    case "staging":
      // Ids are minted by Hubble; anything else is a bug, never a path.
      if (!/^[0-9a-f-]{36}$/.test(key.id)) throw new Error("Invalid staging id");
      return `staging/${key.id}`;
  }
}
