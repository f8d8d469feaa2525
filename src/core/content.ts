/**
 * Reading repository content: revisions, trees, file entries with their LFS pointers, history.
 * Commits and blobs are immutable, so what is derived from them is cached by id.
 */
import { errors } from "./errors.js";
import type { CommitOid } from "./ids.js";
import { MAX_POINTER_SIZE, parsePointer } from "./lfs-pointer.js";
import { LruCache } from "./lru.js";
import type { GitRepo, RepoRecord, TreeEntry } from "./ports.js";

/** A file or folder as the HF API describes it. */
export interface PathInfo {
  type: "file" | "directory";
  path: string;
  /** git blob/tree id (of the pointer for LFS files). */
  oid: string;
  size: number;
  lfs?: { oid: string; size: number; pointerSize: number };
}

const pointers = new LruCache<{ oid: string; size: number } | false>(50_000);

/** The LFS pointer a blob holds, or null; cached by blob id. */
export async function pointerOf(git: GitRepo, blobOid: string, blobSize: number): Promise<{ oid: string; size: number } | null> {
  if (blobSize > MAX_POINTER_SIZE || blobSize === 0) return null;
  const hit = pointers.get(blobOid);
  if (hit !== undefined) return hit || null;
  const p = parsePointer(await git.readBlob(blobOid));
  pointers.set(blobOid, p ?? false);
  return p;
}

/** Blobs at most this big are served from memory (read through the long-lived cat-file). */
export const SMALL_BLOB = 1 << 20;
const smallBlobs = new LruCache<Buffer>(64 << 20, (b) => b.length + 64);

/**
 * The bytes of a small blob, cached by id (immutable): no git process per download, which is
 * what `from_pretrained` and datasets of many small files hit. The id comes from a tree the
 * caller was allowed to read, so a hit never discloses anything.
 */
export async function smallBlob(git: GitRepo, blobOid: string): Promise<Buffer> {
  const hit = smallBlobs.get(blobOid);
  if (hit) return hit;
  const data = await git.readBlob(blobOid);
  if (data.length <= SMALL_BLOB) smallBlobs.set(blobOid, data);
  return data;
}

/** Describes one tree entry, reading its pointer when it may be one. */
export async function describe(git: GitRepo, e: TreeEntry): Promise<PathInfo> {
  if (e.type === "tree") return { type: "directory", path: e.path, oid: e.oid, size: 0 };
  const p = await pointerOf(git, e.oid, e.size);
  if (p) return { type: "file", path: e.path, oid: e.oid, size: p.size, lfs: { oid: p.oid, size: p.size, pointerSize: e.size } };
  return { type: "file", path: e.path, oid: e.oid, size: e.size };
}

/** Resolves a client revision to a commit; `HEAD` means the default branch. */
export async function resolveRevision(git: GitRepo, repo: RepoRecord, rev: string): Promise<CommitOid> {
  const r = rev === "HEAD" ? repo.defaultBranch : rev;
  const oid = await git.resolveCommit(r);
  if (!oid) throw errors.revisionNotFound(rev);
  return oid;
}

/** A path's entry at a commit, or EntryNotFound. */
export async function entryAt(git: GitRepo, commit: CommitOid, path: string): Promise<PathInfo> {
  const e = await git.stat(commit, path);
  if (!e) throw errors.entryNotFound(path);
  return describe(git, e);
}
